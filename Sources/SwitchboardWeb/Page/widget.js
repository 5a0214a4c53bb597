// The chat on a company's own site: <script src="https://support.example.com/widget.js" async></script>
// adds a button that opens the customer page in a floating frame. The frame loads from the
// support server, which lets only the origins in its allowedOrigins frame it (frame-ancestors).
(() => {
  if (window.__switchboardWidget) return;
  window.__switchboardWidget = true;
  const script = document.currentScript;
  const origin = new URL(script ? script.src : '/', location.href).origin;
  const label = (script && script.dataset.label) || 'Chat with support';
  const css = (node, rules) => Object.assign(node.style, rules);

  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = '💬';
  button.setAttribute('aria-label', label);
  button.setAttribute('aria-expanded', 'false');
  button.id = 'switchboard-widget-button';
  css(button, {
    position: 'fixed', right: '20px', bottom: '20px', width: '56px', height: '56px', borderRadius: '50%',
    border: '0', background: '#2457c5', color: '#fff', fontSize: '26px', cursor: 'pointer', zIndex: '2147483646',
    boxShadow: '0 4px 16px rgba(0,0,0,.3)',
  });

  let frame = null;
  function open(show) {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.src = `${origin}/?embed=1`;
      frame.title = label;
      frame.id = 'switchboard-widget-frame';
      frame.allow = 'clipboard-write';
      css(frame, {
        position: 'fixed', right: '20px', bottom: '88px', width: 'min(400px, calc(100vw - 40px))',
        height: 'min(620px, calc(100vh - 120px))', border: '1px solid rgba(0,0,0,.15)', borderRadius: '14px',
        zIndex: '2147483647', background: '#fff', boxShadow: '0 8px 32px rgba(0,0,0,.3)',
      });
      document.body.append(frame);
    }
    frame.hidden = !show;
    button.setAttribute('aria-expanded', String(show));
    button.textContent = show ? '✕' : '💬';
  }
  button.addEventListener('click', () => open(!frame || frame.hidden));
  const place = () => document.body.append(button);
  if (document.body) place(); else addEventListener('DOMContentLoaded', place);
})();
