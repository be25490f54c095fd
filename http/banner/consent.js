/*
 * Custos consent banner: https://github.com/custos-privacy/custos (Apache-2.0).
 *
 * A company adds it to its own site with one tag:
 *   <script src="https://CUSTOS/consent.js" defer></script>
 * See http/banner/README.md for the data attributes, the API and the events.
 *
 * Custos serves this file with its styles put in place of the CSS marker
 * below, trivially minified and gzip-compressed; the budget is 10 kB.
 * Nothing here uses eval, inline event handlers or style attributes, so it
 * runs under a strict Content-Security-Policy.
 */
(() => {
  'use strict';
  // A second copy of the tag must not show a second banner.
  if (window.Custos && window.Custos.consent) return;

  const CSS = "__CUSTOS_CSS__";
  const STATE = 'custos.consent';
  const CONFIG = 'custos.config';
  const DEVICE = 'custos.device';
  const TOKEN = 'custos.device_token';
  const COOKIE = 'custos_consent';
  // 13 months: the longest a consent choice should be kept before asking again (CNIL).
  const MAX_AGE = 34128000;
  const BLOCKED = 'script[type="text/plain"][data-custos-purpose],[data-custos-src][data-custos-purpose]';
  const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled])';
  const DEVICE_ID = /^[A-Za-z0-9_-]{22}$/;
  const t = (k) => (cfg && cfg.text && cfg.text[k]) || k;

  const me = document.currentScript || document.querySelector('script[src$="/consent.js"]');
  const base = new URL(me ? me.src : '/consent.js', location.href).origin;
  const nonce = (me && me.nonce) || '';
  const pinned = (me && me.dataset.jurisdiction) || '';
  const gpc = navigator.globalPrivacyControl === true;
  // Google Consent Mode v2: the signals tags read, and the default before
  // any tag the banner controls can run (they are inert until allowed).
  const SIGNALS = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage', 'functionality_storage', 'personalization_storage'];
  const layer = (window.dataLayer = window.dataLayer || []);
  // gtag() pushes its arguments object: that is what Google's tags read.
  function gtag() { layer.push(arguments); }
  // A site that set the default itself, first (see the README), keeps it.
  if (!layer.some((e) => e && e[0] === 'consent' && e[1] === 'default')) {
    const d = { security_storage: 'granted', wait_for_update: 500 };
    for (const k of SIGNALS) d[k] = 'denied';
    gtag('consent', 'default', d);
  }

  let cfg = null; // the banner config from Custos
  let state = null; // {v: policy version, j, c: {purpose: bool}, g: GPC recorded, d: decided, x: notice dismissed, r: receipt id, p: pending, i: device, t}
  let ui = null; // {root, dialog, modal, closable} while the banner is shown
  let opener = null; // where focus returns when the banner closes
  let styled = false;
  let status = null;

  const local = {
    get(k) {
      try { return JSON.parse(localStorage.getItem(k)); } catch (e) { return null; }
    },
    set(k, v) {
      try { localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* storage blocked: the cookie remains */ }
    },
  };

  function fromCookie() {
    const m = document.cookie.match(/(?:^|;\s*)custos_consent=([^;]*)/);
    if (!m) return null;
    try { return JSON.parse(decodeURIComponent(m[1])); } catch (e) { return null; }
  }

  function recall() {
    const s = local.get(STATE) || fromCookie();
    return s && typeof s === 'object' && s.c && typeof s.c === 'object' ? s : null;
  }

  // The cookie lets the site's own server read the choice too.
  function remember() {
    local.set(STATE, state);
    const s = { v: state.v, j: state.j, c: state.c, g: state.g, d: state.d, x: state.x, r: state.r, i: state.i };
    document.cookie = COOKIE + '=' + encodeURIComponent(JSON.stringify(s)) + '; Path=/; Max-Age=' + MAX_AGE +
      '; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  }

  // crypto.randomUUID needs a secure context; getRandomValues does not.
  function fresh() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    return btoa(String.fromCharCode.apply(null, b)).replace(/\+/g, '-').replace(/\//g, '_').slice(0, 22);
  }

  function known() {
    const id = local.get(DEVICE) || (recall() || {}).i;
    return typeof id === 'string' && DEVICE_ID.test(id) ? id : null;
  }

  function device() {
    const id = known() || fresh();
    local.set(DEVICE, id);
    return id;
  }

  // The device token Custos issued proves this browser is the device. It
  // stays in localStorage, never in the cookie the site's server reads.
  function token(id) {
    const k = local.get(TOKEN);
    return k && k.i === id ? k.t : undefined;
  }

  function keep(id, k) {
    if (k) local.set(TOKEN, { i: id, t: k });
  }

  function purpose(key) {
    return cfg.purposes.find((p) => p.key === key);
  }

  function allowed(key) {
    if (!cfg) return false;
    if (cfg.allowed.indexOf(key) >= 0) return true;
    const p = purpose(key);
    if (!p || (gpc && p.sale_sharing)) return false;
    const c = state.c[key];
    return typeof c === 'boolean' ? c : p.regime === 'opt_out';
  }

  function choices() {
    const o = {};
    for (const p of cfg.purposes) o[p.key] = allowed(p.key);
    return o;
  }

  function snapshot() {
    if (!cfg) return null;
    return {
      choices: choices(), decided: !!state.d, gpc: gpc, policy_version: cfg.policy_version,
      jurisdiction: cfg.jurisdiction, experience: cfg.experience, receipt_id: state.r || null,
    };
  }

  function publish() {
    const detail = snapshot();
    document.dispatchEvent(new CustomEvent('custos:consent', { detail: detail }));
    layer.push({ event: 'custos_consent', custos: detail });
  }

  // Each signal is granted when every purpose it stands for may run now;
  // pushed before the allowed tags are put in place.
  function signal() {
    const u = {};
    for (const k of SIGNALS) {
      const keys = (cfg.consent_mode || {})[k];
      u[k] = keys && keys.length && keys.every(allowed) ? 'granted' : 'denied';
    }
    gtag('consent', 'update', u);
  }

  // The IAB CMP APIs live in a module of their own, loaded only where the
  // config asks; until it runs, calls wait in a queue it answers.
  function iab() {
    const q = (window.__custosIAB = []);
    for (const n of ['__gpp', '__tcfapi']) {
      if ((n === '__gpp' ? cfg.iab.gpp_section : cfg.iab.tcf) && typeof window[n] !== 'function') window[n] = function () { q.push([n, arguments]); };
    }
    const s = document.createElement('script');
    s.src = base + '/consent-iab.js';
    if (nonce) s.nonce = nonce;
    document.head.append(s);
  }

  // Shows by each "Do Not Sell or Share" link that the Global Privacy
  // Control signal was processed as an opt-out (11 CCR §7025(c)(6)).
  function honoured(scope) {
    if (!gpc || !cfg || !cfg.purposes.some((p) => p.sale_sharing) || !scope.querySelectorAll) return;
    const links = Array.prototype.slice.call(scope.querySelectorAll('[data-custos-action="do-not-sell"]'));
    if (scope.matches && scope.matches('[data-custos-action="do-not-sell"]')) links.unshift(scope);
    for (const a of links) {
      if (a.hasAttribute('data-custos-gpc') || (ui && ui.root.contains(a))) continue;
      a.setAttribute('data-custos-gpc', 'honoured');
      style();
      a.after(h('span', { class: 'custos-gpc', 'data-custos-gpc-notice': '' }, ' ', t('gpc_link')));
    }
  }

  // A blocked script becomes a real one: a copy without the inert type, so
  // the browser runs it (scripts inserted by script never run otherwise).
  function activate(scope) {
    if (!cfg || !scope.querySelectorAll) return;
    const found = Array.prototype.slice.call(scope.querySelectorAll(BLOCKED));
    if (scope.matches && scope.matches(BLOCKED)) found.unshift(scope);
    for (const el of found) {
      if (!el.getAttribute('data-custos-purpose').trim().split(/\s+/).every(allowed)) continue;
      if (el.tagName !== 'SCRIPT') {
        el.setAttribute('src', el.getAttribute('data-custos-src'));
        el.removeAttribute('data-custos-src');
        continue;
      }
      const s = document.createElement('script');
      for (const a of el.attributes) {
        if (a.name !== 'type' && a.name !== 'nonce' && a.name !== 'data-custos-type') s.setAttribute(a.name, a.value);
      }
      const type = el.getAttribute('data-custos-type');
      if (type) s.type = type;
      if (el.nonce) s.nonce = el.nonce;
      if (el.hasAttribute('src')) s.async = el.hasAttribute('async');
      else s.text = el.text;
      s.setAttribute('data-custos-activated', '');
      el.replaceWith(s);
    }
  }

  function style() {
    if (styled) return;
    styled = true;
    if (nonce || !('adoptedStyleSheets' in document)) {
      const s = document.createElement('style');
      if (nonce) s.setAttribute('nonce', nonce);
      s.textContent = CSS;
      document.head.append(s);
      return;
    }
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }

  function h(tag, attrs) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v !== false && v != null) e.setAttribute(k, v === true ? '' : v);
    }
    for (let i = 2; i < arguments.length; i++) {
      if (arguments[i] != null && arguments[i] !== false) e.append(arguments[i]);
    }
    return e;
  }

  // The live region sits outside the dialog so it is still there to speak
  // after the dialog is gone.
  function announce(text) {
    style();
    if (!status) {
      status = h('div', { id: 'custos-status', role: 'status' });
      document.body.append(status);
    }
    status.textContent = '';
    setTimeout(() => { status.textContent = text; }, 100);
  }

  function build(modal, closable, expanded) {
    const optIn = cfg.experience === 'opt_in';
    const org = cfg.organisation || t('this_site');
    const policy = h('a', { href: cfg.privacy_policy_url }, t('policy'));
    const button = (action, label, plain) => h('button', { type: 'button', 'data-custos-action': action, class: plain ? 'custos-plain' : null }, label);
    const toggles = cfg.purposes.map((p, i) => {
      const id = 'custos-p' + i;
      const locked = gpc && p.sale_sharing;
      const box = h('input', { type: 'checkbox', id: id, 'data-custos-toggle': p.key, 'aria-describedby': id + '-d', disabled: locked });
      box.checked = allowed(p.key);
      const note = locked ? ' ' + t('gpc_note') : p.exemption ? ' ' + t('exempt_note') : '';
      return h('div', { class: 'custos-purpose' }, box, h('label', { for: id }, p.name),
        h('p', { id: id + '-d' }, p.description + note));
    });
    const list = h('fieldset', { id: 'custos-purposes', hidden: !expanded }, h('legend', null, t('legend')), ...toggles);
    const dialog = h('div', {
      role: 'dialog', lang: cfg.lang, 'aria-modal': modal ? 'true' : 'false', 'aria-labelledby': 'custos-title',
      'aria-describedby': 'custos-desc', tabindex: '-1', class: 'custos-dialog',
    },
    h('h2', { id: 'custos-title' }, t('title')),
    // A function, so that $&, $' and $$ in the company's name are its own
    // characters, not String.replace's patterns.
    h('p', { id: 'custos-desc' }, t(optIn ? 'desc_in' : 'desc_out').replace('{org}', () => org), policy, '.'),
    gpc && cfg.purposes.some((p) => p.sale_sharing) && h('p', { class: 'custos-gpc', 'data-custos-gpc-notice': '' }, t('gpc_honoured')),
    cfg.do_not_sell && !gpc && h('p', null, h('a', { href: cfg.privacy_policy_url, 'data-custos-action': 'do-not-sell' }, t('dns'))),
    h('button', { type: 'button', 'data-custos-action': 'choose', class: 'custos-plain', 'aria-expanded': expanded ? 'true' : 'false', 'aria-controls': 'custos-purposes' }, t('choose')),
    list,
    h('div', { class: 'custos-actions' },
      button('reject-all', t(optIn ? 'reject_all' : 'opt_out_all')),
      button('save', t('save'), true),
      button('accept-all', t(optIn ? 'accept_all' : 'allow_all')),
      closable && button('close', t('close'), true)));
    const root = h('div', { id: 'custos-banner', class: modal ? 'custos-modal' : 'custos-notice' }, modal && h('div', { class: 'custos-backdrop' }), dialog);
    return { root: root, dialog: dialog, modal: modal, closable: closable };
  }

  function show(expanded) {
    if (!cfg) return;
    if (ui) {
      ui.dialog.focus();
      return;
    }
    style();
    const modal = cfg.experience === 'opt_in';
    opener = document.activeElement;
    ui = build(modal, !modal || !!state.d, expanded);
    document.body.append(ui.root);
    ui.root.addEventListener('keydown', onKey);
    document.addEventListener('focusin', guard);
    ui.dialog.focus();
  }

  function close() {
    if (!ui) return;
    document.removeEventListener('focusin', guard);
    ui.root.remove();
    ui = null;
    const o = opener;
    opener = null;
    if (o && o !== document.body && o.isConnected && o.focus) o.focus();
  }

  function dismiss() {
    if (!state.d && !state.x) {
      state.x = true;
      state.i = device();
      remember();
    }
    close();
  }

  // A modal banner keeps focus: clicks and scripts elsewhere cannot pull it out.
  function guard(e) {
    if (ui && ui.modal && !ui.root.contains(e.target)) ui.dialog.focus();
  }

  function onKey(e) {
    if (e.key === 'Escape') {
      if (ui.closable) {
        e.preventDefault();
        dismiss();
      }
      return;
    }
    if (e.key !== 'Tab' || !ui.modal) return;
    const f = Array.prototype.filter.call(ui.dialog.querySelectorAll(FOCUSABLE), (el) => el.getClientRects().length > 0);
    const first = f[0];
    const last = f[f.length - 1];
    const at = document.activeElement;
    if (e.shiftKey && (at === first || at === ui.dialog)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && at === last) {
      e.preventDefault();
      first.focus();
    }
  }

  function all(granted) {
    const o = {};
    for (const p of cfg.purposes) o[p.key] = granted && !(gpc && p.sale_sharing);
    return o;
  }

  function commit(c, said) {
    state = {
      v: cfg.policy_version, j: cfg.jurisdiction, c: Object.assign({}, state.c, c), g: state.g || gpc,
      d: true, x: state.x, r: null, p: true, i: device(), t: new Date().toISOString(),
    };
    remember();
    close();
    signal();
    activate(document);
    publish();
    announce(said || t('saved'));
    send(state);
  }

  // Records the choice with Custos. Until Custos answers it stays pending,
  // and is sent again on the next page if this one is left first.
  async function send(s, again) {
    try {
      const r = await fetch(base + '/api/v1/banner/consents', {
        method: 'POST', mode: 'cors', credentials: 'omit', keepalive: true,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ device_id: s.i, device_token: token(s.i), jurisdiction: s.j, choices: s.c, gpc: gpc }),
      });
      const b = await r.json().catch(() => ({}));
      const code = (b.error && b.error.code) || '';
      if (r.ok) {
        keep(s.i, b.device_token);
        s.r = b.receipt_id;
        s.p = false;
      } else if (r.status === 403 && !again && code.indexOf('device_token') === 0) {
        // This browser lost the device's token, or never got it: it goes
        // on as a new device.
        s.i = fresh();
        local.set(DEVICE, s.i);
        return send(s, true);
      } else {
        console.warn('Custos did not record the consent choice:', (b.error && b.error.message) || r.status);
        // Only a busy server is worth asking again; a refused body will be refused again.
        if (r.status !== 429 && r.status < 500) s.p = false;
      }
    } catch (e) {
      return;
    }
    if (s === state) remember();
  }

  function act(action, e) {
    switch (action) {
      case 'accept-all': return commit(all(true));
      case 'reject-all': return commit(all(false));
      case 'save': {
        const o = {};
        for (const b of ui.root.querySelectorAll('[data-custos-toggle]')) o[b.getAttribute('data-custos-toggle')] = b.checked && !b.disabled;
        return commit(o);
      }
      case 'choose': {
        const b = e.target.closest('button');
        const open = b.getAttribute('aria-expanded') !== 'true';
        b.setAttribute('aria-expanded', String(open));
        ui.dialog.querySelector('#custos-purposes').hidden = !open;
        return undefined;
      }
      case 'close': return dismiss();
      case 'do-not-sell': {
        e.preventDefault();
        const o = {};
        for (const p of cfg.purposes) if (p.sale_sharing) o[p.key] = false;
        return commit(o, t('opted_out'));
      }
      case 'open':
        e.preventDefault();
        return ready.then(() => show(true));
      default: return undefined;
    }
  }

  document.addEventListener('click', (e) => {
    const t = e.target.closest && e.target.closest('[data-custos-action]');
    if (!t) return;
    const action = t.getAttribute('data-custos-action');
    const inside = ui && ui.root.contains(t);
    if (inside || action === 'open' || (action === 'do-not-sell' && cfg)) act(action, e);
  });

  async function config() {
    const lang = document.documentElement.lang;
    const key = CONFIG + ':' + pinned + ':' + lang;
    try {
      const u = new URL('/api/v1/banner', base);
      if (pinned) u.searchParams.set('jurisdiction', pinned);
      if (lang) u.searchParams.set('lang', lang);
      // A device without its token (one that chose before tokens) asks
      // for it; Custos issues it once per device.
      const id = known();
      if (id && !token(id)) u.searchParams.set('device', id);
      const r = await fetch(u.href, { mode: 'cors', credentials: 'omit' });
      if (!r.ok) throw new Error('answered ' + r.status);
      const c = await r.json();
      keep(id, c.device_token);
      delete c.device_token;
      local.set(key, c);
      return c;
    } catch (e) {
      // Offline or Custos unreachable: the last config known still says what was chosen.
      console.warn('Custos banner config unavailable:', e.message);
      return local.get(key);
    }
  }

  const dom = document.readyState === 'loading'
    ? new Promise((r) => document.addEventListener('DOMContentLoaded', r, { once: true }))
    : Promise.resolve();

  const ready = Promise.all([config(), dom]).then((got) => {
    const c = got[0];
    if (!c || !Array.isArray(c.purposes)) return null;
    cfg = c;
    const kept = recall();
    // A choice made under another policy version does not count: ask again.
    state = kept && kept.v === cfg.policy_version
      ? kept
      : { v: cfg.policy_version, j: cfg.jurisdiction, c: {}, g: false, d: false, x: false, r: null, p: false };
    if (gpc && !state.g) {
      // GPC is an opt-out of sale and sharing: record it once, ask nothing.
      for (const p of cfg.purposes) if (p.sale_sharing) state.c[p.key] = false;
      state.g = true;
      state.p = true;
      state.i = device();
      state.t = new Date().toISOString();
      remember();
      send(state);
    } else if (state.p) {
      send(state);
    }
    if (cfg.iab) iab();
    signal();
    activate(document);
    honoured(document);
    new MutationObserver((ms) => {
      for (const m of ms) {
        for (const n of m.addedNodes) {
          if (n.nodeType === 1) {
            activate(n);
            honoured(n);
          }
        }
      }
    }).observe(document.documentElement, { childList: true, subtree: true });
    publish();
    // A notice dismissed elsewhere is no answer to an opt-in banner; nor is
    // a choice that never saw a purpose asked first now (one a policy or
    // this version of the banner added).
    const unasked = state.d && cfg.purposes.some((p) => p.regime === 'opt_in' && typeof state.c[p.key] !== 'boolean');
    if ((!state.d && !gpc && !(state.x && cfg.experience === 'opt_out')) || unasked) show(false);
    return snapshot();
  });

  window.Custos = Object.freeze({
    consent: snapshot,
    allowed: allowed,
    open: () => ready.then(() => show(true)),
    // For consent-iab.js: the IAB config and the purposes behind it.
    iab: () => (cfg && cfg.iab ? Object.assign({ purposes: cfg.purposes }, cfg.iab) : null),
    ready: ready,
  });
})();
