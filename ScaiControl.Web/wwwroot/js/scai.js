// Small browser helpers of the portal shell (called through IJSRuntime).
window.scaiShell = {
    // Remembers a per-user preference (the theme) for a year; read on the server at the next page load.
    setCookie: (name, value) => {
        document.cookie = `${encodeURIComponent(name)}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax`;
    },
    // Saves text as a file (the list pages' CSV export).
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
};
