// The invoice template designer: GrapesJS (served from lib/grapesjs, installed from npm by the build; never a CDN)
// editing the <body> of a Handlebars HTML document. Used by Components/Pages/Admin/Templates/TemplateDesignerPage.
//
// A template is a whole HTML document. GrapesJS edits the body; the head is kept as written, except that its
// <style> blocks are handed to GrapesJS (so the canvas shows the document's styles and the style manager can change
// them) and written back as one <style> where the first one was. Handlebars block tags are stored as HTML comments
// (<!--HB:{{#each lines}}-->, see TemplateEncoding on the server): GrapesJS keeps comments, so blocks survive. Inline
// expressions such as {{number}} are ordinary text.
//
// Exports: init(host, html, dotnet) -> bool, getHtml(host) -> string, setHtml(host, html), destroy(host), replaceUrl(url).

const scriptUrl = 'lib/grapesjs/grapes.min.js';
const cssUrl = 'lib/grapesjs/grapes.min.css';
const stylePlaceholder = '<!--scai-designer-style-->';
let loading;

function load() {
  if (window.grapesjs) {
    return Promise.resolve(true);
  }
  loading ??= new Promise(resolve => {
    if (!document.querySelector(`link[href="${cssUrl}"]`)) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = cssUrl;
      document.head.appendChild(link);
    }
    const script = document.createElement('script');
    script.src = scriptUrl;
    script.onload = () => resolve(!!window.grapesjs);
    script.onerror = () => { loading = undefined; resolve(false); };
    document.head.appendChild(script);
  });
  return loading;
}

// Splits a document into the head (style blocks replaced by one placeholder), the body start tag, the body content,
// the rest, and the CSS of the style blocks. A fragment without <body> is all body.
function split(html) {
  const open = /<body\b[^>]*>/i.exec(html);
  if (!open) {
    return { head: '', bodyTag: '', body: html, tail: '', css: '' };
  }
  const start = open.index + open[0].length;
  const close = html.toLowerCase().lastIndexOf('</body');
  const end = close < start ? html.length : close;
  const styles = [];
  const head = html.slice(0, open.index).replace(/<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi, (_, css) => {
    styles.push(css);
    return styles.length === 1 ? stylePlaceholder : '';
  });
  return { head, bodyTag: open[0], body: html.slice(start, end), tail: html.slice(end), css: styles.join('\n') };
}

// One block-level element or encoded Handlebars block per line, so the source stays readable and error lines mean
// something. Only whitespace between elements is added, which HTML rendering ignores there.
function lines(body) {
  if (/<pre\b/i.test(body)) {
    return body;
  }
  return body
    .replace(/>\s*(?=<(?:(?:table|thead|tbody|tfoot|tr|div|p|h[1-6]|ul|ol|li|section|header|footer)\b|!--HB:))/gi, '>\n')
    .replace(/>\s*(?=<\/(?:table|thead|tbody|tfoot|div|ul|ol|section|header|footer)>)/gi, '>\n')
    .trim();
}

// The CSS as GrapesJS writes it back is normalised by the browser (shorthands expanded, colours as rgb()): keep the
// document's own CSS text as long as no style was changed in the designer.
function styleOf(state) {
  const css = state.editor.getCss({ avoidProtected: true }).trim();
  if (css === state.loadedCss) {
    return state.parts.css.trim() ? `<style>${state.parts.css}</style>` : '';
  }
  return css ? `<style>\n${css.replace(/}/g, '}\n').trim()}\n</style>` : '';
}

function join(state) {
  const { parts, editor } = state;
  const style = styleOf(state);
  let head = parts.head;
  if (head.includes(stylePlaceholder)) {
    head = head.replace(stylePlaceholder, style);
  } else if (style && /<\/head\s*>/i.test(head)) {
    head = head.replace(/<\/head\s*>/i, `${style}\n</head>`);
  }
  const body = lines(editor.getWrapper().getInnerHTML());
  return parts.bodyTag ? `${head}${parts.bodyTag}\n${body}\n${parts.tail}` : body;
}

const blocks = [
  { id: 'hb-text', label: 'Text', content: '<p>Text</p>' },
  { id: 'hb-heading', label: 'Heading', content: '<h2>Heading</h2>' },
  { id: 'hb-columns', label: 'Two columns', content: '<div style="display:flex;gap:8mm"><div style="flex:1">Left</div><div style="flex:1">Right</div></div>' },
  { id: 'hb-field-number', label: '{{number}}', content: '<span>{{number}}</span>' },
  { id: 'hb-field-total', label: '{{gross_total}}', content: '<span>{{gross_total}}</span>' },
  { id: 'hb-if-vat', label: 'If buyer VAT id', content: '<!--HB:{{#if buyer.vat_id}}--><div>VAT ID: {{buyer.vat_id}}</div><!--HB:{{/if}}-->' },
  { id: 'hb-if-credit', label: 'If credit note', content: '<!--HB:{{#if is_credit_note}}--><p>Credit note for invoice {{referenced_invoice_number}}</p><!--HB:{{/if}}-->' },
  { id: 'hb-notes', label: 'Notes', content: '<!--HB:{{#if notes}}--><div class="notes"><!--HB:{{#each notes}}--><div>{{this}}</div><!--HB:{{/each}}--></div><!--HB:{{/if}}-->' },
];

// GrapesJS' default buttons use Font Awesome icons, which it would fetch from a CDN (cssIcons is switched off):
// the same buttons with text labels instead.
function button(id, command, label, extra = {}) {
  return { id, command, label, className: 'scai-gjs-btn', attributes: { title: label }, ...extra };
}

const panels = [
  { id: 'commands', buttons: [{}] },
  {
    id: 'options',
    buttons: [
      button('sw-visibility', 'core:component-outline', 'Outlines', { active: true, context: 'sw-visibility' }),
      button('preview', 'preview', 'Preview', { context: 'preview' }),
      button('fullscreen', 'fullscreen', 'Full screen', { context: 'fullscreen' }),
      button('export-template', 'export-template', 'Code'),
      button('undo', 'core:undo', 'Undo'),
      button('redo', 'core:redo', 'Redo'),
    ],
  },
  {
    id: 'views',
    buttons: [
      button('open-sm', 'open-sm', 'Styles', { active: true, togglable: false }),
      button('open-tm', 'open-tm', 'Settings', { togglable: false }),
      button('open-layers', 'open-layers', 'Layers', { togglable: false }),
      button('open-blocks', 'open-blocks', 'Blocks', { togglable: false }),
    ],
  },
];

export async function init(host, html, dotnet) {
  if (!(await load())) {
    return false;
  }
  destroy(host);
  const parts = split(html ?? '');
  const editor = window.grapesjs.init({
    container: host,
    height: '640px',
    width: 'auto',
    components: parts.body,
    style: parts.css,
    protectedCss: '',
    storageManager: false,
    telemetry: false,
    cssIcons: '',
    noticeOnUnload: false,
    assetManager: { upload: false },
    blockManager: { blocks: blocks.map(b => ({ ...b, category: 'ScaiControl' })) },
    panels: { defaults: panels },
  });
  let timer;
  const state = { editor, parts, loaded: false, loadedCss: undefined };
  host.__scaiDesigner = state;
  editor.on('load', () => {
    state.loadedCss = editor.getCss({ avoidProtected: true }).trim();
    state.loaded = true;
  });
  editor.on('update', () => {
    if (!state.loaded) {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => dotnet.invokeMethodAsync('OnDesignerChanged', join(state)).catch(() => {}), 700);
  });
  return true;
}

export function getHtml(host) {
  const state = host?.__scaiDesigner;
  return state ? join(state) : null;
}

export function setHtml(host, html) {
  const state = host?.__scaiDesigner;
  if (!state) {
    return;
  }
  state.loaded = false;
  state.parts = split(html ?? '');
  state.editor.setComponents(state.parts.body);
  state.editor.setStyle(state.parts.css);
  state.loadedCss = state.editor.getCss({ avoidProtected: true }).trim();
  state.loaded = true;
}

export function destroy(host) {
  const state = host?.__scaiDesigner;
  if (state) {
    state.editor.destroy();
    delete host.__scaiDesigner;
  }
}

// Shows the address of a newly saved version without navigating (the page keeps its state and messages).
export function replaceUrl(url) {
  history.replaceState(history.state, '', url);
}
