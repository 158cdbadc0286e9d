/*! cmp.js, consent banner (Apache-2.0). Embed, see docs/banner.md: <script src="https://CMP_HOST/cmp.js"
 * data-site="SITE" async>; tags held until consent: <script type="text/plain" data-cmp-category="analytics">,
 * <iframe data-cmp-category="targeting" data-src>; settings link: [data-cmp-open]. API: cmp.open/consent/on. */
((w, d, nav) => {
  'use strict';
  if (w.cmp?.scan) return w.cmp.scan(); // loaded twice: one banner, tags rescanned
  const DENY = { ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' };
  w.dataLayer = w.dataLayer || [];
  w.gtag = w.gtag || function () { w.dataLayer.push(arguments); };
  w.gtag('consent', 'default', { ...DENY, wait_for_update: 500 });

  const me = d.currentScript || d.querySelector('script[data-site][src*="cmp.js"]');
  w.cmp = { scan() {} }; // a second copy stands down
  const main = () => { // next task (docs/banner.md); body not indented, to save bytes
  const site = me?.getAttribute('data-site') || '';
  const api = (me ? me.src.replace(/cmp\.js([?#].*)?$/, '') : '/') + 'api/v1/sites/' + encodeURIComponent(site);
  const KEY = /^[a-z0-9_-]+$/, VID = /^[\w-]+\.[\w-]+$/, CK = 'cmp_consent', QK = 'cmp_queue';
  const gpc = nav.globalPrivacyControl === true;
  const pick = (l) => ((l = String(l || '').slice(0, 2).toLowerCase()) == 'ja' || l == 'en' ? l : '');
  const lang = pick(d.documentElement.lang) || pick(nav.language) || 'ja';
  const ja = lang == 'ja', sep = ja ? '、' : ', ', cfgKey = `cmp_config:${site}:${lang}`;
  const mem = {}, subs = [];
  let cfg, cur = null, want = null, sheet, host, root, dlg, head, view, need, busy, qTimer, qDelay = 0, cDelay = 0;
  // fallbacks: the config brings every text
  const T = ja ? {
    title: 'Cookie等の利用について', accept_all: '同意する', reject_all: '拒否する', settings: '設定', save: '選択を保存',
    close: '閉じる', gpc_note: 'GPCが有効なため、対象のカテゴリはオフです。'
  } : {
    title: 'Cookies on this site', accept_all: 'Accept', reject_all: 'Reject', settings: 'Settings', save: 'Save choices',
    close: 'Close', gpc_note: 'GPC is on, so its categories are off.'
  };
  const CSS = `:host{all:initial}:host(cmp-banner){position:fixed}:host(cmp-frame){display:inline-block;overflow:hidden;max-width:100%}
*{box-sizing:border-box}dialog,.f{font:15px/1.6 system-ui,sans-serif;color:#1a1a1a}
dialog{width:100%;max-width:46rem;max-height:85vh;margin:auto auto 0;padding:1.25rem 1.5rem;border:0;border-radius:.75rem;background:#fff;flex-direction:column}
[open]{display:flex}.b{overflow:auto}
::backdrop{background:#0005}h2{font-size:1.2em;margin:0}h3{font-size:1em}p,dl,h3{margin:.5rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:0 .75rem;font-size:.9em}dt{font-weight:700}dd{margin:0}a{color:#0b57d0}section{border-top:1px solid #ccc}
.r,.l,.k{display:flex;align-items:center;gap:.5rem}.r{justify-content:space-between;font-weight:700}.n{font-size:.85em}
.k{flex-wrap:wrap;margin-top:.75rem}button{flex:1 1 8em;font:inherit;font-weight:700;padding:.6rem;border:2px solid #1a3d7c;border-radius:.5rem;background:#1a3d7c;color:#fff}
.x{position:absolute;top:.75rem;right:.75rem;background:#fff;color:#1a3d7c}
input{flex:none;width:1.3rem;height:1.3rem;accent-color:#1a3d7c}
:focus-visible{outline:3px solid #000;outline-offset:2px}h2:focus{outline:0}
.f{height:100%;display:grid;place-content:center;justify-items:center;gap:.5rem;padding:1rem;text-align:center;background:#eef1f5;border:1px solid #6b6b6b}`;

  const has = (list, k) => list.includes(k);
  const now = () => Math.floor(Date.now() / 1000);
  const get = (k) => { try { return JSON.parse(localStorage.getItem(k)); } catch (e) { return mem[k] || null; } };
  const put = (k, v) => { mem[k] = v; try { localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* memory only */ } };
  const cats = () => (cfg?.categories || []).filter((c) => KEY.test(c.key));
  const recs = () => (cfg?.recipients || []).filter((r) => KEY.test(r.key));
  const keys = (list) => list.map((x) => x.key);
  const tx = (k) => { const t = cfg?.texts?.[k]; return (typeof t == 'string' && t) || T[k] || ''; };
  const life = () => (cfg?.consent_lifetime_days || 395) * 86400;
  const each = (sel, fn, el = d) => el.querySelectorAll(sel).forEach(fn);
  const jar = () => Object.fromEntries(d.cookie.split(/; */).map((c) => [c.split('=')[0], c.slice(c.indexOf('=') + 1)]));
  const valid = (c, soft) => { if (c?.policy_version > 0 && c.categories) return c; if (!soft) throw c; };
  const sheetOf = (text) => { const s = new CSSStyleSheet(); s.replaceSync(text); return s; };

  const readCookie = () => parse(jar()[CK]);
  function parse(v) {
    const p = v?.split('~');
    if (p?.length != 7 || p[0] != '1' || !(+p[1] > 0)) return null;
    const list = (s) => (s ? s.split('+').filter((k) => KEY.test(k)) : []);
    return { pv: +p[1], vid: VID.test(p[2]) ? p[2] : '', c: list(p[3]), r: list(p[4]), gpc: p[5] == '1', t: +p[6] || 0 };
  }
  function writeCookie(s) {
    d.cookie = `${CK}=${[1, s.pv, s.vid, s.c.join('+'), s.r.join('+'), +s.gpc, s.t].join('~')};path=/;max-age=${
      Math.max(0, s.t + life() - now())};SameSite=Lax${location.protocol == 'https:' ? ';Secure' : ''}`;
  }
  const fresh = (s) => s && s.pv >= cfg.policy_version && s.t + life() > now();

  function enforce(s) {
    const u = { ...DENY };
    for (const c of cats()) for (const g of c.gcm || []) u[g] = has(s.c, c.key) ? 'granted' : u[g] || 'denied';
    w.gtag('consent', 'update', u);
    scan();
  }
  const map = (all, on) => Object.fromEntries(all.map((k) => [k, has(on, k)]));
  const pub = (s) => ({ policy_version: s.pv, visitor_id: s.vid || null, categories: map(keys(cats()), s.c),
    recipients: map(keys(recs()), s.r), gpc: s.gpc, method: s.m || null, decided_at: s.t });
  function apply(s, isNew) {
    cur = s;
    if (isNew) { writeCookie(s); wipe(s); }
    enforce(s);
    const p = { ...pub(s), new: !!isNew };
    w.dataLayer.push({ event: 'cmp_consent', cmp: p });
    subs.forEach((fn) => { try { fn(pub(s)); } catch (e) { console.error(e); } });
    d.dispatchEvent(new CustomEvent('cmp:change', { detail: p }));
  }
  const allowed = (el) => has(cur?.c || [], el.dataset.cmpCategory);
  function scan() {
    each('script[type="text/plain"][data-cmp-category]', (el) => {
      if (!allowed(el)) return;
      const n = d.createElement('script');
      for (const a of el.attributes) if (a.name != 'type') n.setAttribute(a.name, a.value);
      if (el.dataset.cmpType) n.type = el.dataset.cmpType;
      if (el.nonce) n.nonce = el.nonce;
      if (!el.hasAttribute('async')) n.async = false; // keep the page's order
      n.text = el.text;
      el.replaceWith(n);
    });
    each('cmp-frame', (p) => allowed(p.f) && p.replaceWith(p.f));
    each('iframe[data-cmp-category][data-src]', (f) => {
      if (allowed(f)) { if (f.getAttribute('src') != f.dataset.src) f.src = f.dataset.src; return; }
      if (f.hasAttribute('src')) f.src = 'about:blank';
      if (cfg) requestAnimationFrame(() => setTimeout(() => f.isConnected && !allowed(f) && f.replaceWith(placeholder(f)))); // after a frame: no forced layout
    });
  }
  function wipe(s) {
    const re = new RegExp(`^(${cats().filter((c) => !has(s.c, c.key)).flatMap((c) => c.cookies || [])
      .map((p) => String(p).replace(/[^\w*]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`);
    const parts = location.hostname.split('.');
    for (const n in jar()) if (n && n != CK && re.test(n)) parts.forEach((_, i) => {
      d.cookie = `${n}=;max-age=0;path=/${i ? ';domain=.' + parts.slice(i - 1).join('.') : ''}`;
    });
  }

  function decide(on, onR, method) {
    const c = keys(cats().filter((x) => x.required || has(on, x.key)));
    const r = keys(recs().filter((x) => has(c, x.category) && (!x.links_personal_data || has(onR, x.key))));
    const s = { pv: cfg.policy_version, vid: (cur || readCookie())?.vid || '', c, r, gpc, t: now(), m: method };
    queue([...queue(), { policy_version: s.pv, categories: map(keys(cats()), c), recipients: map(keys(recs()), r),
      method, lang, gpc, q: Math.random() }]);
    close();
    apply(s, 1);
    flush();
  }
  const everything = (yes) => decide(yes ? keys(cats()) : [], yes ? keys(recs()) : [], 'banner');

  function queue(list) {
    const all = get(QK) || {};
    if (!list) return all[site] || [];
    if (list.length) all[site] = list; else delete all[site];
    put(QK, all);
  }
  function setVid(v) {
    const s = cur || readCookie();
    if (s) { s.vid = v; writeCookie(s); }
  }
  async function flush() {
    if (busy || !queue().length) return;
    busy = 1;
    clearTimeout(qTimer);
    try {
      await (nav.locks ? nav.locks.request('cmp_queue:' + site, drain) : drain());
      qDelay = 0;
    } catch (e) {
      qTimer = setTimeout(flush, (qDelay = Math.min(qDelay * 2 || 1000, 300000)));
    }
    busy = 0;
  }
  async function drain() {
    for (let b; (b = queue()[0]); ) {
      const { q, ...body } = b, vid = (cur || readCookie())?.vid, c = jar();
      if (vid) body.visitor_id = vid;
      body.aliases = (cfg?.alias_cookies || []).filter((n) => c[n]).map((n) => ({ type: 'cookie:' + n, value: c[n].slice(0, 256) }));
      const r = await fetch(api + '/consents', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const j = await r.json().catch(() => ({}));
      if (j.code == 'invalid_visitor_id' && vid) { setVid(''); continue; }
      if (VID.test(j.visitor_id)) setVid(j.visitor_id); // 201, or 503: retry as this id
      if (r.status >= 500 || r.status == 429 || r.status == 408) throw r; // retry later
      if (j.code == 'policy_outdated') load();
      queue(queue().filter((x) => x.q != q)); // stored, or refused
    }
  }

  function load() {
    fetch(`${api}/config?lang=${lang}`, { cache: 'no-cache' })
      .then((r) => { if (!r.ok) throw r; return r.json(); })
      .then((c) => { put(cfgKey, (cfg = valid(c))); cDelay = 0; })
      .then(ready, () => {
        if ((cfg = cfg || valid(get(cfgKey), 1))) return ready(); // server down: last config
        setTimeout(load, (cDelay = Math.min(cDelay * 2 || 2000, 300000)));
      });
  }
  function ready() {
    const s = cur || readCookie();
    if (fresh(s)) cur || apply(s, 0);
    else if (gpc && cats().every((c) => c.required || c.gpc)) {
      decide([], [], 'gpc'); // nothing left to ask
    } else {
      need = 1;
      if (!dlg?.open) show(0);
    }
    scan();
    if (want != null) show(want);
  }

  function h(tag, attrs, kids = []) {
    const e = d.createElement(tag);
    for (const k in attrs) if (k == 'on') e.onclick = attrs.on; else e.setAttribute(k, attrs[k]);
    for (const c of kids) if (c) e.append(c.nodeType ? c : String(c)); // text, never HTML
    return e;
  }
  const css = () => sheet || (sheet = sheetOf(CSS));
  function link(key, url) {
    try { url = url && new URL(url, api); } catch (e) { url = 0; }
    return /^https?:$/.test(url?.protocol) ? h('a', { href: url.href, target: '_blank', rel: 'noopener' }, [tx(key)]) : 0;
  }
  function facts(r) {
    const rows = [['items_label', (r.items || []).join(sep)], ['purpose_label', r.purpose],
      ['recipient_purpose_label', r.recipient_purpose], ['country_label', r.country],
      ['system_label', r.foreign?.system], ['measures_label', r.foreign?.measures]];
    return h('dl', {}, rows.flatMap((x) => (x[1] ? [h('dt', {}, [tx(x[0])]), h('dd', {}, [x[1]])] : [])));
  }
  const named = (r) => [h('strong', {}, [r.name]), r.service && r.service != r.name ? ` (${r.service})` : ''];
  const buttons = (list) => h('div', { class: 'k' }, list.map(([k, fn]) => h('button', { type: 'button', on: fn }, [tx(k)])));
  const note = (k) => tx(k) && h('p', { class: 'n' }, [tx(k)]);
  const title = (k) => (head = h('h2', { id: 'cmp-t', tabindex: '-1' }, [tx(k)]));
  function firstLayer() {
    const L = recs().filter((r) => r.links_personal_data), links = cfg.links || {};
    return [title('title'), h('p', { id: 'cmp-d' }, [tx('body')]), gpc && note('gpc_note'),
      h('p', {}, [link('external_transmission', links.external_transmission), ' ', link('privacy_policy', links.privacy_policy)]),
      L.length && h('div', {}, [h('h3', {}, [tx('linking_title')]), h('p', {}, [tx('linking_body')]),
        h('ul', {}, L.map((r) => h('li', {}, [...named(r), facts(r)])))]),
      buttons([['accept_all', () => everything(1)], ['reject_all', () => everything(0)], ['settings', () => render(1)]])];
  }
  function toggle(attr, key, on) {
    const b = h('input', { type: 'checkbox', role: 'switch', [attr]: key });
    b.checked = on;
    return b;
  }
  function settings() {
    const s = cur, out = [title('settings'), h('button', { type: 'button', class: 'x', 'aria-label': tx('close'), on: esc }, ['×']),
      gpc && note('gpc_note'), h('p', { id: 'cmp-d', class: 'n' }, [tx('opt_out')])];
    for (const c of cats()) {
      const box = toggle('data-c', c.key, c.required || (s ? has(s.c, c.key) : !!c.default && !(gpc && c.gpc)));
      box.disabled = !!c.required;
      const mine = recs().filter((r) => r.category == c.key);
      out.push(h('section', {}, [h('label', { class: 'r' }, [c.name || c.key, box]),
        h('p', {}, [c.description, c.required && ' ' + tx('essential_note')]),
        mine.length && h('h3', {}, [tx('recipients_label')]),
        mine.length && h('ul', {}, mine.map((r) => {
          const kids = [...named(r), facts(r)];
          if (r.links_personal_data) {
            const rb = toggle('data-r', r.key, !!s && has(s.r, r.key));
            rb.onchange = () => { box.checked ||= rb.checked; };
            kids.push(h('label', { class: 'l' }, [rb, `${r.name}: ${tx('linking_toggle') || tx('linking_title')}`]));
          }
          return h('li', {}, kids);
        }))]));
    }
    const checked = (a) => [...dlg.querySelectorAll(`input[${a}]:checked`)].map((x) => x.getAttribute(a));
    out.push(buttons([['reject_all', () => everything(0)], ['accept_all', () => everything(1)],
      ['save', () => decide(checked('data-c'), checked('data-r'), 'preferences')]]));
    return out;
  }
  function render(v) {
    view = v;
    const parts = (v ? settings() : firstLayer()).filter(Boolean), k = parts.pop();
    dlg.replaceChildren(h('div', { class: 'b' }, parts), k);
    head.focus();
  }
  function mount() {
    if (host?.isConnected) return;
    host = d.createElement('cmp-banner');
    root = host.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [css()];
    dlg = h('dialog', { 'aria-modal': 'true', 'aria-labelledby': 'cmp-t', 'aria-describedby': 'cmp-d', lang: cfg.lang || lang });
    dlg.onkeydown = (e) => { // focus trap
      if (e.key != 'Tab') return;
      const f = dlg.querySelectorAll('a[href],button,input:not([disabled])'), a = root.activeElement;
      const first = f[0], last = f[f.length - 1];
      if (e.shiftKey ? a == first || a == head : a == last) { e.preventDefault(); (e.shiftKey ? last : first).focus(); }
    };
    dlg.oncancel = (e) => { e.preventDefault(); esc(); };
    root.append(dlg);
    (d.body || d.documentElement).append(host);
  }
  function show(v) {
    if (!cfg) { want = v; return; }
    want = null;
    mount();
    if (!dlg.open) dlg.showModal();
    render(v);
  }
  const esc = () => (view && need ? render(0) : close());
  function close() { if (dlg?.open) dlg.close(); need = 0; }
  function placeholder(f) {
    const el = d.createElement('cmp-frame'), sr = el.attachShadow({ mode: 'open' }), k = f.dataset.cmpCategory;
    el.f = f;
    sr.adoptedStyleSheets = [css(), sheetOf(`:host{width:${f.offsetWidth || 300}px;height:${f.offsetHeight || 150}px}`)];
    sr.append(h('div', { class: 'f' }, [tx('iframe_placeholder'),
      h('strong', {}, [cats().find((c) => c.key == k)?.name || k]),
      h('button', { type: 'button', on: () => decide([...(cur?.c || []), k], cur?.r || [], 'preferences') }, [tx('iframe_button')])]));
    return el;
  }

  w.cmp = {
    open: () => show(1),
    consent: () => (cur ? pub(cur) : null),
    on: (ev, fn) => { if (ev == 'change' && typeof fn == 'function') subs.push(fn); },
    scan
  };
  d.addEventListener('click', (e) => { if (e.target.closest?.('[data-cmp-open]')) { e.preventDefault(); show(1); } });
  w.addEventListener('online', () => { qDelay = 0; flush(); if (!cfg) load(); });
  // the cookie's policy may be outdated: no config cached, ready() decides
  const begin = (v, s = parse(v)) => { if (!cur && s && (cfg ||= valid(get(cfgKey), 1)) && fresh(s)) apply(s, 0); };
  if (d.readyState == 'loading') d.addEventListener('DOMContentLoaded', scan); else scan();
  // async: a first document.cookie read blocks on IPC
  w.cookieStore ? cookieStore.get(CK).then((c) => begin(c?.value), () => begin(jar()[CK])) : begin(jar()[CK]);
  if (site) { load(); setTimeout(flush); }
  };
  setTimeout(main);
})(window, document, navigator);
