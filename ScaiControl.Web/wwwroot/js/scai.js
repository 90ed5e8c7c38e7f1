// Small browser helpers of the portal shell (called through IJSRuntime).
window.scaiShell = {
    // Remembers a per-user preference (the theme) for a year; read on the server at the next page load.
    setCookie: (name, value) => {
        document.cookie = `${encodeURIComponent(name)}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax`;
    },
    // Saves text as a file.
    download: (fileName, mimeType, text) => {
        const blob = new Blob([text], { type: mimeType });
        const url = URL.createObjectURL(blob);
        const a = document.createElement("a");
        a.href = url;
        a.download = fileName;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
    // A streamed download (the list pages' CSV export): the server sends one part per page of its keyset query, the
    // browser keeps the parts and saves them as one file at the end, so the server never holds the whole export.
    downloads: {},
    downloadBegin: (id) => {
        window.scaiShell.downloads[id] = [];
    },
    downloadPart: (id, text) => {
        const parts = window.scaiShell.downloads[id];
        if (parts) {
            parts.push(text);
        }
    },
    downloadEnd: (id, fileName, mimeType) => {
        const parts = window.scaiShell.downloads[id] || [];
        delete window.scaiShell.downloads[id];
        const blob = new Blob(parts, { type: mimeType });
        const url = URL.createObjectURL(blob);
        const a = document.createElement("a");
        a.href = url;
        a.download = fileName;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
    downloadAbort: (id) => {
        delete window.scaiShell.downloads[id];
    },
};
