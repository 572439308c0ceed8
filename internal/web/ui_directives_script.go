package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// directivesScript autosaves the directive editor two seconds after the
// last change and refreshes the live preview in the official layout. It
// is served from this file (no build step; the page CSP allows scripts
// from the site only), with the recipient picker's script.
const directivesScript = directivesEditorScript + pickerScript

const directivesEditorScript = `"use strict";
(function () {
  var form = document.getElementById("directive-form");
  var preview = document.getElementById("directive-preview");
  var status = document.getElementById("autosave-status");
  function refreshPreview() {
    if (!preview) return;
    fetch(preview.dataset.src, {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : Promise.reject(r.status);
    }).then(function (html) { preview.innerHTML = html; }).catch(function () {});
  }
  refreshPreview();
  var addItem = document.getElementById("add-item");
  if (addItem && form) {
    addItem.addEventListener("click", function () {
      var rows = form.querySelectorAll(".item-row");
      var last = rows[rows.length - 1];
      var n = rows.length;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("[name]").forEach(function (el) {
        el.name = el.name.replace(/_\d+$/, "_" + n);
        if (el.type === "checkbox") el.checked = false;
        else if (el.tagName !== "SELECT") el.value = "";
      });
      last.parentNode.insertBefore(copy, last.nextSibling);
      form.querySelector("input[name=items]").value = String(n + 1);
    });
  }
  if (!form || !form.dataset.autosave) return;
  var timer = null, busy = false, dirty = false;
  function save() {
    if (busy) { dirty = true; return; }
    busy = true; dirty = false;
    status.textContent = status.dataset.saving;
    fetch(form.dataset.autosave, {method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"X-CSRF-Token": form.querySelector("input[name=csrf]").value}}).then(function (r) {
      return r.json().then(function (body) { return {ok: r.ok, body: body}; });
    }).then(function (res) {
      busy = false;
      if (!res.ok) {
        status.textContent = status.dataset.failed + " " + (res.body.error ? res.body.error.message : "");
        status.classList.add("error");
        return;
      }
      status.classList.remove("error");
      form.querySelector("input[name=base_version]").value = String(res.body.version);
      status.textContent = status.dataset.saved;
      refreshPreview();
      if (dirty) save();
    }).catch(function () { busy = false; status.textContent = status.dataset.failed; });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    status.textContent = status.dataset.pending;
    timer = setTimeout(save, 2000);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
})();
`

var directivesScriptETag = func() string {
	sum := sha256.Sum256([]byte(directivesScript))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

func (s directiveHandlers) directivesJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("ETag", directivesScriptETag)
	if r.Header.Get("If-None-Match") == directivesScriptETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write([]byte(directivesScript))
}

// directivesStyle styles the directive pages (matrix states, progress,
// editor and preview side by side), with the recipient picker's style.
const directivesStyle = directivesBaseStyle + pickerStyle

const directivesBaseStyle = `.dir-tabs { display:flex; flex-wrap:wrap; gap:.25rem; margin:0 0 1rem; }
.dir-tabs a { padding:.35rem .7rem; border:1px solid var(--line); border-radius:4px; text-decoration:none; color:var(--fg); background:#fff; }
.dir-tabs a.active { border-color:var(--accent2); color:var(--accent2); font-weight:600; }
.dir-editor { display:grid; grid-template-columns:minmax(360px, 1fr) minmax(360px, 1fr); gap:1rem; align-items:start; }
@media (max-width: 1000px) { .dir-editor { grid-template-columns:1fr; } }
/* The preview arrives after the page (and again after each autosave): its box
   has a fixed height, so the buttons below it do not move under the pointer. */
.preview-card { height:85vh; overflow:auto; }
.dir-editor .preview-card { position:sticky; top:.5rem; }
.directive-preview { background:#fff; overflow-x:auto; }
.directive-preview > * { zoom:.62; }
.scroll { overflow-x:auto; }
.row2 { display:flex; flex-wrap:wrap; gap:.75rem; align-items:end; }
.row2 label { flex:1; min-width:140px; }
fieldset.item-row { margin:.5rem 0; }
.state { font-size:.8rem; border-radius:3px; padding:0 .35rem; background:#eef2f6; white-space:nowrap; }
.state-draft, .state-pending { background:#eef2f6; }
.state-submitted, .state-approved, .state-delivered { background:#fff3cd; }
.state-read, .state-acknowledged, .state-assigned { background:#e7f0fb; }
.state-forwarded { background:#e8e4f8; }
.state-reported, .state-closed, .state-issued { background:#e6f4ea; }
.state-declined, .state-failed { background:#fdecea; }
.late, .overdue { color:var(--accent); font-weight:600; font-size:.8rem; }
tr.overdue td { background:#fdecea; }
tr.late td:first-child { border-left:4px solid var(--accent); }
tr.done td:first-child { border-left:4px solid var(--ok); }
tr.unread td { font-weight:600; }
.progress { height:14px; background:#eef2f6; border-radius:7px; overflow:hidden; }
.progress .bar { height:100%; background:var(--ok); }
table.matrix td { font-size:.85rem; }
ul.cascade li.done > .state { outline:1px solid var(--ok); }
ul.history { list-style:none; padding:0; }
.actions form { margin:.5rem 0; }
`

var directivesStyleETag = func() string {
	sum := sha256.Sum256([]byte(directivesStyle))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

func (s directiveHandlers) directivesCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("ETag", directivesStyleETag)
	if r.Header.Get("If-None-Match") == directivesStyleETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write([]byte(directivesStyle))
}
