/*
 * Custos consent banner, IAB module: https://github.com/custos-privacy/custos (Apache-2.0).
 *
 * consent.js loads this file only where the policy turns on an IAB CMP API
 * that applies (banner.iab in the manifest): __gpp (Global Privacy
 * Platform, CMP API 1.1) in the US and __tcfapi (TCF v2.2) where storage
 * is opt-in. Both answer from the choice the banner keeps, and the strings
 * they give decode with the libraries Custos' server reads them with
 * (github.com/prebid/go-gpp, github.com/prebid/go-gdpr).
 */
(() => {
  'use strict';
  const C = window.Custos;
  if (!C || !C.iab || window.__custosIABReady) return;
  window.__custosIABReady = true;
  const GPP_NAMES = { 7: 'usnat', 8: 'usca', 9: 'usva', 10: 'usco', 11: 'usut', 12: 'usct' };
  // The fields of each US section in go-gpp's order after the 6-bit
  // version, two bits each: h SharingNotice, n SaleOptOutNotice, o
  // SharingOptOutNotice, t TargetedAdvertisingOptOutNotice, z a notice
  // about sensitive data (not given: 0), S SaleOptOut, H SharingOptOut, T
  // TargetedAdvertisingOptOut, 0 sensitive-data and child consents (not
  // applicable), M MspaCoveredTransaction (2: no).
  const LAYOUT = {
    7: 'hnotzzSHT' + '0'.repeat(12 + 2 + 1) + 'M00',
    8: 'nozSH' + '0'.repeat(9 + 2 + 1) + 'M00',
    9: 'hntST' + '0'.repeat(8 + 1) + 'M00',
    10: 'hntST' + '0'.repeat(7 + 1) + 'M00',
    11: 'hntzST' + '0'.repeat(8 + 1) + 'M00',
    12: 'hntST' + '0'.repeat(8 + 3) + 'M00',
  };
  let cfg = null; // the banner's iab config
  let snap = null; // Custos.consent()
  let acted = false; // a choice was made on this page
  let nextId = 1;
  const gppListeners = new Map();
  const tcfListeners = new Map();

  // bits collects fields most significant bit first; numbers up to 2^53.
  function bits() {
    const b = [];
    return {
      put(v, n) { for (let i = n - 1; i >= 0; i--) b.push(Math.floor(v / 2 ** i) % 2); },
      // base64url of the bits, padded with zeros to whole bytes.
      text() {
        while (b.length % 8) b.push(0);
        let s = '';
        for (let i = 0; i < b.length; i += 8) s += String.fromCharCode(parseInt(b.slice(i, i + 8).join(''), 2));
        return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      },
    };
  }

  // Fibonacci code of n >= 1 (Zeckendorf), terminated by an extra 1.
  function fibonacci(w, n) {
    const f = [1, 2];
    while (f[f.length - 1] <= n) f.push(f[f.length - 1] + f[f.length - 2]);
    const out = new Array(f.length).fill(0);
    for (let i = f.length - 1; i >= 0; i--) {
      if (f[i] <= n) {
        out[i] = 1;
        n -= f[i];
      }
    }
    while (out.length && out[out.length - 1] === 0) out.pop();
    for (const x of out) w.put(x, 1);
    w.put(1, 1);
  }

  const purposes = () => cfg.purposes;
  const refused = (test) => purposes().some((p) => test(p) && !snap.choices[p.key]);
  const sells = (p) => p.sale_sharing;
  const targets = (p) => p.key === 'marketing.advertising' || p.key.indexOf('marketing.advertising.') === 0;

  function gppString() {
    const id = cfg.gpp_section;
    const head = bits();
    head.put(3, 6); // type: GPP header
    head.put(1, 6); // version
    head.put(1, 12); // one entry in the range of section ids
    head.put(0, 1); // a single id, not a range
    fibonacci(head, id);
    const sec = bits();
    sec.put(1, 6); // section version
    const anySale = purposes().some(sells);
    const anyTarget = purposes().some(targets);
    const v = {
      h: 1, n: anySale ? 1 : 0, o: anySale ? 1 : 0, t: anyTarget ? 1 : 0, z: 0,
      S: anySale ? (refused(sells) ? 1 : 2) : 0,
      H: anySale ? (refused(sells) ? 1 : 2) : 0,
      T: anyTarget ? (refused(targets) ? 1 : 2) : 0,
      0: 0, M: 2,
    };
    for (const f of LAYOUT[id]) sec.put(v[f], 2);
    return head.text() + '~' + sec.text();
  }

  function gppPing() {
    const id = cfg.gpp_section;
    return {
      gppVersion: '1.1', cmpStatus: 'loaded', cmpDisplayStatus: document.getElementById('custos-banner') ? 'visible' : 'hidden',
      signalStatus: 'ready', supportedAPIs: Object.keys(GPP_NAMES).map((k) => k + ':' + GPP_NAMES[k]),
      cmpId: cfg.cmp_id || 0, sectionList: id ? [id] : [], applicableSections: id ? [id] : [-1],
      gppString: id ? gppString() : '', parsedSections: {},
    };
  }

  function gpp(command, callback, parameter) {
    const cb = typeof callback === 'function' ? callback : () => {};
    switch (command) {
      case 'ping': return cb(gppPing(), true);
      case 'addEventListener': {
        const id = nextId++;
        gppListeners.set(id, cb);
        return cb({ eventName: 'listenerRegistered', listenerId: id, data: true, pingData: gppPing() }, true);
      }
      case 'removeEventListener': return cb(gppListeners.delete(parameter), true);
      case 'hasSection': return cb(!!cfg.gpp_section && GPP_NAMES[cfg.gpp_section] === parameter, true);
      default: return cb(null, false);
    }
  }

  // The TCF v2.2 core segment and the disclosed-vendors segment.
  function tcString() {
    const t = cfg.tcf;
    const now = Math.round(Date.now() / 100); // deciseconds
    const lang = /^[a-z]{2}/i.test(document.documentElement.lang) ? document.documentElement.lang.slice(0, 2).toUpperCase() : 'EN';
    const w = bits();
    w.put(2, 6); // version
    w.put(now, 36); // created
    w.put(now, 36); // last updated
    w.put(t.cmp_id, 12);
    w.put(t.cmp_version, 12);
    w.put(1, 6); // consent screen
    w.put(lang.charCodeAt(0) - 65, 6);
    w.put(lang.charCodeAt(1) - 65, 6);
    w.put(t.vendor_list_version, 12);
    w.put(4, 6); // TCF policy version 4: TCF v2.2
    w.put(1, 1); // service-specific
    w.put(0, 1); // standard texts
    w.put(0, 12); // no special features
    const p = tcfPurposes();
    for (let i = 1; i <= 24; i++) w.put(p[i] ? 1 : 0, 1);
    w.put(0, 24); // no legitimate interests are claimed
    w.put(0, 1); // purpose one is disclosed
    w.put(0, 6); // publisher country code "AA": not known here
    w.put(0, 6);
    const vendors = tcfVendors();
    const max = t.vendors.length ? Math.max.apply(null, t.vendors) : 0;
    w.put(max, 16);
    w.put(0, 1); // a bit field
    for (let id = 1; id <= max; id++) w.put(vendors[id] ? 1 : 0, 1);
    w.put(0, 16); // no vendor legitimate interests
    w.put(0, 1);
    w.put(0, 12); // no publisher restrictions
    const d = bits();
    d.put(1, 3); // segment type: disclosed vendors
    d.put(max, 16);
    d.put(0, 1);
    for (let id = 1; id <= max; id++) d.put(t.vendors.indexOf(id) >= 0 ? 1 : 0, 1);
    return w.text() + '.' + d.text();
  }

  function tcfPurposes() {
    const out = {};
    const any = purposes().some((p) => snap.choices[p.key]);
    out[1] = any;
    for (const id in cfg.tcf.purposes) {
      const keys = cfg.tcf.purposes[id];
      out[id] = keys.length > 0 && keys.every((k) => snap.choices[k]);
    }
    return out;
  }

  // Custos has no toggle per vendor: every listed vendor has consent once
  // the person allowed storage for any purpose (TCF purpose 1).
  function tcfVendors() {
    const out = {};
    const any = tcfPurposes()[1];
    for (const id of cfg.tcf.vendors) out[id] = any;
    return out;
  }

  function tcData(listenerId) {
    const t = cfg.tcf;
    const p = tcfPurposes();
    const consents = {};
    for (let i = 1; i <= 11; i++) consents[i] = !!p[i];
    return {
      tcString: tcString(), tcfPolicyVersion: 4, cmpId: t.cmp_id, cmpVersion: t.cmp_version, gdprApplies: t.gdpr_applies,
      eventStatus: acted ? 'useractioncomplete' : snap.decided ? 'tcloaded' : 'cmpuishown', cmpStatus: 'loaded',
      listenerId: listenerId, isServiceSpecific: true, useNonStandardTexts: false, publisherCC: 'AA', purposeOneTreatment: false,
      purpose: { consents: consents, legitimateInterests: {} }, vendor: { consents: tcfVendors(), legitimateInterests: {} },
      specialFeatureOptins: {},
      publisher: { consents: {}, legitimateInterests: {}, customPurpose: { consents: {}, legitimateInterests: {} }, restrictions: {} },
    };
  }

  function tcfapi(command, version, callback, parameter) {
    const cb = typeof callback === 'function' ? callback : () => {};
    const t = cfg.tcf;
    switch (command) {
      case 'ping': return cb({
        gdprApplies: t.gdpr_applies, cmpLoaded: true, cmpStatus: 'loaded',
        displayStatus: document.getElementById('custos-banner') ? 'visible' : 'hidden',
        apiVersion: '2.2', cmpVersion: t.cmp_version, cmpId: t.cmp_id, gvlVersion: t.vendor_list_version, tcfPolicyVersion: 4,
      }, true);
      case 'getTCData': return cb(tcData(), true);
      case 'addEventListener': {
        const id = nextId++;
        tcfListeners.set(id, cb);
        return cb(tcData(id), true);
      }
      case 'removeEventListener': return cb(tcfListeners.delete(parameter), true);
      default: return cb(null, false);
    }
  }

  C.ready.then((s) => {
    cfg = C.iab();
    snap = s;
    if (!cfg || !snap) return;
    const queued = window.__custosIAB || [];
    if (cfg.gpp_section) window.__gpp = gpp;
    if (cfg.tcf) window.__tcfapi = tcfapi;
    document.addEventListener('custos:consent', (e) => {
      snap = e.detail;
      acted = true;
      for (const [id, cb] of gppListeners) cb({ eventName: 'sectionChange', listenerId: id, data: GPP_NAMES[cfg.gpp_section], pingData: gppPing() }, true);
      for (const [id, cb] of tcfListeners) cb(tcData(id), true);
    });
    for (const [name, args] of queued) if (typeof window[name] === 'function') window[name].apply(null, args);
    queued.length = 0;
  });
})();
