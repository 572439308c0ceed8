package web

// pickerScript makes the recipient picker live: branches open in place
// (children loaded from /recipients/children), search as you type
// (/recipients/search), a role chooser beside every ticked choice, and a
// count of the choices. Without it the picker is a plain form (see
// ui_directives_picker.go).
const pickerScript = `
(function () {
  var box = document.getElementById("rec-picker");
  if (!box) return;
  var search = document.getElementById("rec-search");
  var results = document.getElementById("rec-results");
  var picked = document.getElementById("rec-picked");
  var pickedBox = document.getElementById("rec-picked-box");
  var defRole = document.getElementById("rec-role");
  var count = document.getElementById("rec-count");
  var roles = ["main", "report", "copy"];
  var ds = box.dataset;
  // Search and branches work in place: the reload fields stay out of the form.
  search.removeAttribute("name");
  document.getElementById("rec-find").hidden = true;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function roleSelect(value, role) {
    var s = el("select", "pk-role");
    s.name = "role_" + value;
    s.setAttribute("aria-label", ds.roleLabel);
    roles.forEach(function (r) {
      var o = el("option", "", ds["role" + r.charAt(0).toUpperCase() + r.slice(1)]);
      o.value = r;
      if (r === role) o.selected = true;
      s.appendChild(o);
    });
    return s;
  }
  function named(value) {
    return box.querySelector('input[name="rec"][value="' + value + '"]');
  }
  function syncRole(cb) {
    var label = cb.closest("label");
    var next = label.nextElementSibling;
    var has = next && next.classList.contains("pk-role");
    if (cb.checked && !has) label.after(roleSelect(cb.value, defRole.value));
    if (!cb.checked && has) next.remove();
  }
  function recount() {
    var seen = {};
    box.querySelectorAll('input[name="rec"]:checked').forEach(function (cb) { seen[cb.value] = true; });
    count.textContent = ds.count.replace("0", String(Object.keys(seen).length));
    pickedBox.hidden = !picked.children.length;
  }
  ds.count = count.dataset.text;
  function checkbox(value, checked, text) {
    var label = el("label", "pk-name");
    var cb = el("input");
    cb.type = "checkbox"; cb.name = "rec"; cb.value = value; cb.checked = checked;
    label.appendChild(cb);
    label.appendChild(document.createTextNode(" " + text));
    return label;
  }
  function toggleButton(id) {
    var b = el("button", "pk-toggle", "+");
    b.type = "submit"; b.name = "rec_open"; b.value = String(id); b.formNoValidate = true;
    b.title = ds.toggle;
    b.setAttribute("aria-expanded", "false");
    return b;
  }
  // node builds a unit's row; a choice already made elsewhere (a search
  // result) moves here with its role.
  function node(u) {
    var li = el("li", "pk-node");
    li.dataset.id = String(u.id);
    var row = el("div", "pk-row");
    row.appendChild(u.children > 0 ? toggleButton(u.id) : el("span", "pk-toggle pk-leaf"));
    if (u.self) {
      li.dataset.self = String(u.id);
      var name = el("span", "pk-name");
      name.appendChild(el("strong", "", u.name));
      name.appendChild(el("span", "muted small", " (" + ds.self + ")"));
      row.appendChild(name);
    } else {
      li.dataset.unit = u.value;
      var prev = picked.querySelector('[data-unit="' + u.value + '"]');
      var label = checkbox(u.value, !!prev, u.name);
      row.appendChild(label);
      if (prev) {
        var role = prev.querySelector("select.pk-role");
        label.after(roleSelect(u.value, role ? role.value : defRole.value));
        prev.remove();
      }
    }
    if (u.communes > 1) {
      var all = el("span", "pk-all");
      all.dataset.unit = "s:" + u.id;
      all.appendChild(checkbox("s:" + u.id, false, ds.all.replace("0", String(u.communes))));
      row.appendChild(all);
    }
    li.appendChild(row);
    return li;
  }
  function get(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (r) {
      return r.ok ? r.json() : Promise.reject(r.status);
    });
  }
  box.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.pk-toggle");
    if (!b) return;
    ev.preventDefault();
    var li = b.closest("li");
    var sub = li.querySelector(":scope > ul");
    var open = b.getAttribute("aria-expanded") !== "true";
    b.setAttribute("aria-expanded", String(open));
    b.textContent = open ? "\u2212" : "+";
    if (sub) { sub.hidden = !open; return; }
    if (!open || b.dataset.loading) return;
    b.dataset.loading = "1";
    get(box.dataset.children + "?parent=" + li.dataset.id).then(function (body) {
      var ul = el("ul", "pk-tree");
      body.units.forEach(function (u) { ul.appendChild(node(u)); });
      li.appendChild(ul);
      recount();
    }).catch(function () {
      b.setAttribute("aria-expanded", "false");
      b.textContent = "+";
      b.title = ds.failed;
    }).then(function () { delete b.dataset.loading; });
  });
  box.addEventListener("change", function (ev) {
    var cb = ev.target;
    if (cb.name === "rec") {
      syncRole(cb);
      box.querySelectorAll('input[name="rec"][value="' + cb.value + '"]').forEach(function (o) {
        if (o !== cb && o.checked !== cb.checked) { o.checked = cb.checked; syncRole(o); }
      });
      results.querySelectorAll('input[data-pick="' + cb.value + '"]').forEach(function (o) { o.checked = cb.checked; });
      recount();
    } else if (cb.dataset.pick) {
      var target = named(cb.dataset.pick);
      if (!target && cb.checked) {
        var li = el("li", "pk-node");
        li.dataset.unit = cb.dataset.pick;
        var row = el("div", "pk-row");
        row.appendChild(el("span", "pk-toggle pk-leaf"));
        row.appendChild(checkbox(cb.dataset.pick, false, cb.dataset.name));
        li.appendChild(row);
        picked.appendChild(li);
        target = named(cb.dataset.pick);
      }
      if (target && target.checked !== cb.checked) {
        target.checked = cb.checked;
        syncRole(target);
        if (!cb.checked && picked.contains(target)) target.closest("li").remove();
      }
      recount();
    }
  });
  var timer = null, seq = 0;
  function runSearch() {
    var q = search.value.trim();
    var mine = ++seq;
    if (!q) { results.textContent = ""; return; }
    get(box.dataset.search + "?q=" + encodeURIComponent(q)).then(function (body) {
      if (mine !== seq) return;
      results.textContent = "";
      if (!body.units.length) { results.appendChild(el("li", "muted", ds.none)); return; }
      body.units.forEach(function (u) {
        var li = el("li");
        li.dataset.result = u.value;
        var label = el("label", "pk-name");
        var cb = el("input");
        cb.type = "checkbox"; cb.dataset.pick = u.value; cb.dataset.name = u.name;
        var cur = named(u.value);
        cb.checked = !!(cur && cur.checked);
        label.appendChild(cb);
        label.appendChild(document.createTextNode(" " + u.name));
        li.appendChild(label);
        if (u.trail) li.appendChild(el("span", "muted small", " " + u.trail));
        results.appendChild(li);
      });
    }).catch(function () { if (mine === seq) { results.textContent = ""; results.appendChild(el("li", "muted", ds.failed)); } });
  }
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(runSearch, 200); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); clearTimeout(timer); runSearch(); }
  });
  if (search.value.trim()) runSearch();
  recount();
})();
`

// pickerStyle lays the picker out: an indented tree with a scroll box,
// a search bar that wraps on phones.
const pickerStyle = `
.picker .pk-bar { display:flex; flex-wrap:wrap; gap:.5rem; align-items:end; }
.picker .pk-search { flex:1 1 14rem; }
.picker .pk-default { flex:0 1 12rem; }
.picker h3.pk-head { font-size:.9rem; margin:.75rem 0 .25rem; }
ul.pk-tree { list-style:none; margin:0; padding-left:1.25rem; }
ul.pk-tree.pk-top { padding-left:0; }
#rec-tree { max-height:26rem; overflow:auto; border:1px solid var(--line); border-radius:4px; padding:.25rem; }
.pk-row { display:grid; grid-template-columns:1.7rem minmax(0,1fr) auto; align-items:center; column-gap:.4rem; padding:.15rem 0; }
.picker .pk-toggle { grid-column:1; width:1.7rem; height:1.7rem; min-height:0; padding:0; margin:0; border:1px solid var(--line); background:#fff; color:var(--fg); border-radius:3px; line-height:1; font-size:1rem; cursor:pointer; }
.picker .pk-leaf { border-color:transparent; background:none; cursor:default; }
.picker .pk-name { grid-column:2; display:flex; gap:.4rem; align-items:flex-start; margin:0; font-weight:normal; min-width:0; }
.picker label.pk-name input { margin:.2rem 0 0; width:auto; flex:none; }
.picker select.pk-role { grid-column:3; width:auto; max-width:9rem; font-size:.85rem; padding:.1rem .25rem; margin:0; }
.picker .pk-all { grid-column:2 / -1; font-size:.85rem; color:var(--muted); display:flex; gap:.4rem; align-items:center; }
.picker .pk-all .pk-name { font-size:.85rem; }
.pk-results { list-style:none; padding:0; margin:.25rem 0; max-height:16rem; overflow:auto; }
.pk-results:not(:empty) { border:1px solid var(--line); border-radius:4px; padding:.25rem .5rem; }
.pk-results li { padding:.2rem 0; border-bottom:1px solid var(--line); }
.pk-results li:last-child { border-bottom:0; }
.pk-results .small { display:block; padding-left:1.6rem; }
.pk-enter { position:absolute; left:-9999px; width:1px; height:1px; overflow:hidden; }
.picker [hidden] { display:none !important; }
.full-view .pdf-frame { display:block; width:100%; height:75vh; border:1px solid var(--line); background:#fff; }
.full-view .full-html { display:none; }
.full-view .full-html > * { zoom:1; }
/* Phones seldom show a PDF inside a page: the same layout as HTML, the PDF one tap away. */
@media (max-width: 900px) {
  .full-view .pdf-frame { display:none; }
  .full-view .full-html { display:block; border:1px solid var(--line); height:75vh; overflow:auto; }
  .full-view .full-html > * { zoom:.8; }
}
@media (max-width: 640px) { .full-view .full-html > * { zoom:.42; } }
`
