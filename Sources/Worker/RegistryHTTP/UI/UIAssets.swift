/// The UI's script and stylesheet, compiled into the binary and served from `/ui/static/` (the
/// Content-Security-Policy allows no inline script or style).
enum UIAssets {
    static let script = #"""
// pyrmute-registry web UI (docs/ui.md). No framework, no build step.
(function () {
  'use strict';
  var KEY = 'pyrmute-registry-api-key';
  var KEY_ERROR = 'pyrmute-registry-api-key-error';
  var authRequired = document.body.getAttribute('data-auth') === 'required';
  var keyed = false;

  function stored(name) { try { return sessionStorage.getItem(name); } catch (e) { return null; } }
  function store(name, value) {
    try { if (value === null) { sessionStorage.removeItem(name); } else { sessionStorage.setItem(name, value); } } catch (e) { /* private mode */ }
  }
  function withKey(headers) {
    var key = stored(KEY);
    if (authRequired && key) { headers['X-API-Key'] = key; }
    return headers;
  }
  function isUI(url) { return url.origin === location.origin && (url.pathname === '/ui' || url.pathname.indexOf('/ui/') === 0); }

  // Authentication on: pages come from fetch with the key, and replace <main>.
  function load(url, init, push) {
    init = init || {};
    init.headers = withKey(init.headers || {});
    init.headers.Accept = 'text/html';
    return fetch(url, init).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          store(KEY, null);
          store(KEY_ERROR, (body && body.detail) || ('HTTP ' + response.status));
          location.assign(url);
        });
      }
      return response.text().then(function (html) { swap(html, url, push); });
    }).catch(function (error) { showError('Could not load the page: ' + error.message); });
  }
  function swap(html, url, push) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var incoming = doc.getElementById('main');
    var current = document.getElementById('main');
    if (!incoming || !current) { showError('Unexpected answer from the server.'); return; }
    document.title = doc.title;
    current.replaceWith(document.adoptNode(incoming));
    if (push) { history.pushState(null, '', url); }
    enhance(incoming);
    window.scrollTo(0, 0);
  }
  function showError(text) {
    var main = document.getElementById('main');
    var p = document.createElement('p');
    p.className = 'error';
    p.setAttribute('role', 'alert');
    p.textContent = text;
    if (main) { main.insertBefore(p, main.firstChild); }
  }

  document.addEventListener('click', function (event) {
    if (!keyed || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest ? event.target.closest('a[href]') : null;
    if (!link) { return; }
    var url = new URL(link.getAttribute('href'), location.href);
    if (!isUI(url)) { return; }
    event.preventDefault();
    load(url.href, {}, true);
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.id === 'key-form') {
      event.preventDefault();
      var value = form.querySelector('#api-key').value.trim();
      if (!value) { return; }
      store(KEY, value);
      store(KEY_ERROR, null);
      keyed = true;
      load(location.href, {}, false);
      return;
    }
    if (!keyed) { return; }
    var action = new URL(form.getAttribute('action') || location.pathname, location.href);
    if (!isUI(action)) { return; }
    event.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    if ((form.getAttribute('method') || 'get').toLowerCase() === 'post') {
      load(action.href, { method: 'POST', body: data }, false);
    } else {
      action.search = data.toString();
      load(action.href, {}, true);
    }
  });

  window.addEventListener('popstate', function () { if (keyed) { load(location.href, {}, false); } });

  // Every page: folding buttons, copy buttons, search as you type.
  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll('.tools[hidden]'), function (tools) { tools.hidden = false; });
    Array.prototype.forEach.call(root.querySelectorAll('button.fold-all, button.unfold-all'), function (button) {
      button.addEventListener('click', function () {
        var open = button.classList.contains('unfold-all');
        var section = button.closest('section');
        Array.prototype.forEach.call(section.querySelectorAll('.tree details'), function (d) { d.open = open; });
      });
    });
    Array.prototype.forEach.call(root.querySelectorAll('button.copy'), function (button) {
      button.addEventListener('click', function () { copy(button); });
    });
    var search = root.querySelector('#search');
    if (search) { searchAsYouType(search, root.querySelector('#search-results')); }
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute('data-copy'));
    var status = button.parentNode.querySelector('.copied');
    var say = function (text) { if (status) { status.textContent = text; } };
    var text = target ? target.textContent : '';
    var selectIt = function () {
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      say('Selected: press Ctrl+C to copy');
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { say('Copied'); }, selectIt);
    } else {
      selectIt();
    }
  }

  function searchAsYouType(input, results) {
    var timer = null;
    var sequence = 0;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    function run() {
      var q = input.value.trim();
      var mine = ++sequence;
      if (!q) { results.textContent = ''; return; }
      var url = '/search?' + new URLSearchParams({ q: q, limit: '20' }).toString();
      fetch(url, { headers: withKey({ Accept: 'application/json' }) })
        .then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.json();
        })
        .then(function (body) { if (mine === sequence) { render(body.results || [], q); } })
        .catch(function (error) { if (mine === sequence) { results.textContent = 'Search failed: ' + error.message; } });
    }
    function render(items, q) {
      results.textContent = '';
      if (!items.length) {
        var none = document.createElement('p');
        none.className = 'muted';
        none.textContent = 'No match for ' + q + '.';
        results.appendChild(none);
        return;
      }
      var list = document.createElement('ul');
      list.className = 'results';
      items.forEach(function (item) {
        var params = new URLSearchParams();
        if (item.namespace !== null && item.namespace !== undefined) { params.set('namespace', item.namespace); }
        params.set('model', item.model_name);
        params.set('version', item.version);
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = '/ui/version?' + params.toString();
        a.textContent = (item.namespace !== null && item.namespace !== undefined ? item.namespace + '::' : '') + item.model_name + '@' + item.version;
        var badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = item.source;
        var matched = document.createElement('span');
        matched.className = 'muted';
        matched.textContent = item.matched;
        li.appendChild(a);
        li.appendChild(document.createTextNode(' '));
        li.appendChild(badge);
        li.appendChild(document.createTextNode(' '));
        li.appendChild(matched);
        list.appendChild(li);
      });
      results.appendChild(list);
    }
  }

  if (authRequired) {
    var form = document.getElementById('key-form');
    if (form) {
      if (stored(KEY)) {
        keyed = true;
        load(location.href, {}, false);
      } else {
        form.hidden = false;
        var problem = stored(KEY_ERROR);
        if (problem) { document.getElementById('key-error').textContent = problem; }
        document.getElementById('api-key').focus();
      }
    } else {
      keyed = stored(KEY) !== null;
    }
  }
  enhance(document);
})();
"""#

    /// A browser asks for an icon; one from this origin keeps it from a 404.
    static let icon = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#24292f"/><path d="M4 4h5a3 3 0 0 1 0 6H6v2H4z" fill="#fff"/></svg>"##

    static let stylesheet = #"""
:root { --fg: #1b1f24; --muted: #4d5561; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; --link: #0550ae;
  --add: #dafbe1; --del: #ffebe9; --chg: #fff8c5; --bad: #a40e26; --ok: #116329; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
header.top { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1.2rem; background: #24292f; }
header.top a { color: #ffffff; text-decoration: none; }
header.top .brand { font-weight: 600; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.5rem; margin: .6rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .6rem; }
.name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; margin: 0; color: var(--muted); }
.crumbs li + li::before { content: "/"; margin-right: .4rem; }
table.list { border-collapse: collapse; width: 100%; }
table.list th, table.list td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
table.list th { background: var(--panel); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; border: 1px solid var(--line); font-size: .8rem; color: var(--muted); }
.badge.deprecated { border-color: var(--bad); color: var(--bad); }
.level { font-weight: 600; }
.message { font-style: italic; }
.error, .verdict.breaking { color: var(--bad); }
.verdict.ok { color: var(--ok); }
.search input { width: min(32rem, 100%); padding: .35rem; }
.results { padding-left: 1.2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
code.fp { word-break: break-all; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.2rem; margin: 0; }
ul.tree { padding-left: 0; }
ul.tree li { margin: .1rem 0; }
.prop { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; }
.type { color: #6639ba; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.req { color: var(--bad); font-weight: 700; }
.desc { color: var(--muted); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
pre { background: var(--panel); border: 1px solid var(--line); padding: .8rem; overflow: auto; max-height: 40rem; }
.tools { margin: .3rem 0; }
.diff-wrap { overflow: auto; }
table.diff { border-collapse: collapse; width: 100%; table-layout: fixed; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
table.diff td { white-space: pre-wrap; overflow-wrap: anywhere; padding: 0 .5rem; width: 50%; border-left: 1px solid var(--line); vertical-align: top; }
table.diff th { background: var(--panel); text-align: left; padding: .2rem .5rem; }
tr.add td:nth-child(2), li.add { background: var(--add); }
tr.del td:nth-child(1), li.del { background: var(--del); }
tr.chg td, li.chg { background: var(--chg); }
tr.add td:nth-child(2)::before { content: "+ "; }
tr.del td:nth-child(1)::before { content: "- "; }
tr.chg td::before { content: "~ "; }
ul.changes { padding-left: 0; list-style: none; }
ul.changes li { padding: .15rem .5rem; margin: .15rem 0; }
tr.breaking td { background: var(--del); }
form.compare, form.check { margin: 1rem 0; }
textarea { width: 100%; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
.key-form input { width: min(28rem, 100%); padding: .35rem; }
"""#
}
