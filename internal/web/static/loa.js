// Loa keeps JavaScript small: progressive enhancements only.
(function () {
  "use strict";
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("tree-filter");
    var tree = document.getElementById("org-tree");
    if (!input || !tree) return;
    input.addEventListener("input", function () {
      var q = fold(input.value.trim());
      tree.querySelectorAll("li").forEach(function (li) {
        var own = fold(li.getAttribute("data-name") || "");
        var match = !q || own.indexOf(q) >= 0 || Array.prototype.some.call(
          li.querySelectorAll("li"), function (c) { return fold(c.getAttribute("data-name") || "").indexOf(q) >= 0; });
        li.classList.toggle("hidden", !match);
      });
    });
  });
})();
// Drag and drop onto the document import form.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("file-input");
    if (!zone || !input) return;
    ["dragenter", "dragover"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        zone.submit();
      }
    });
  });
})();
// Broadcast pages: unit pickers submit on change; forms with data-confirm
// ask first; the emergency form shows the fields of the chosen content.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select.autosubmit").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
    var em = document.getElementById("emergency-form");
    if (em) {
      var sync = function () {
        var mode = em.querySelector('input[name="mode"]:checked');
        var text = !mode || mode.value === "text";
        em.querySelector(".when-text").classList.toggle("hidden", !text);
        em.querySelector(".when-media").classList.toggle("hidden", text);
        var units = em.querySelector('input[name="target_mode"][value="units"]');
        var box = em.querySelector(".choices");
        if (box) box.classList.toggle("hidden", !(units && units.checked));
      };
      em.addEventListener("change", sync);
      sync();
    }
  });
})();
// Recording a bulletin in the browser: MediaRecorder, then the recording
// is uploaded to the media API with the page's CSRF token.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("recorder");
    if (!box) return;
    var start = document.getElementById("rec-start"), stop = document.getElementById("rec-stop");
    var save = document.getElementById("rec-save"), preview = document.getElementById("rec-preview");
    var status = document.getElementById("rec-status"), clock = document.getElementById("rec-time");
    var msg = function (k) { return box.getAttribute("data-msg-" + k) || ""; };
    var say = function (text, bad) { status.textContent = text; status.classList.toggle("bad", !!bad); };
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      start.disabled = true;
      say(msg("unsupported"), true);
      return;
    }
    var rec = null, chunks = [], blob = null, timer = null, began = 0;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        chunks = [];
        blob = null;
        rec = new MediaRecorder(stream);
        rec.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
        rec.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          clearInterval(timer);
          blob = new Blob(chunks, { type: rec.mimeType || "audio/webm" });
          preview.src = URL.createObjectURL(blob);
          preview.classList.remove("hidden");
          start.disabled = false;
          stop.disabled = true;
          save.disabled = false;
          say(msg("ready"));
        };
        rec.start(1000);
        began = Date.now();
        timer = setInterval(function () {
          var s = Math.floor((Date.now() - began) / 1000);
          clock.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
        }, 500);
        start.disabled = true;
        stop.disabled = false;
        save.disabled = true;
        say(msg("recording"));
      }).catch(function () { say(msg("denied"), true); });
    });
    stop.addEventListener("click", function () { if (rec && rec.state !== "inactive") rec.stop(); });
    save.addEventListener("click", function () {
      if (!blob) return;
      save.disabled = true;
      say(msg("saving"));
      var title = document.getElementById("rec-title").value.trim() || msg("title");
      fetch(box.getAttribute("data-upload") + "&title=" + encodeURIComponent(title), {
        method: "POST", body: blob, credentials: "same-origin",
        headers: { "X-CSRF-Token": box.getAttribute("data-csrf"), "Content-Type": blob.type || "audio/webm" }
      }).then(function (resp) {
        return resp.json().then(function (body) {
          if (!resp.ok) throw new Error((body && body.error && body.error.message) || resp.statusText);
          say(msg("saved"));
          window.location.hash = "media-" + body.id;
          window.location.reload();
        });
      }).catch(function (err) {
        save.disabled = false;
        say(msg("failed") + " " + err.message, true);
      });
    });
  });
})();
// Speech page: "Listen" buttons post their form (or, with data-speak-text,
// just that text) to the preview endpoint and play the answer in the
// page's player; the text as the engine reads it is shown under it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("speech-player");
    if (!box) return;
    var audio = document.getElementById("speech-audio"), spoken = document.getElementById("speech-spoken");
    var msg = function (k) { return box.getAttribute("data-msg-" + k) || ""; };
    var speak = function (data, button) {
      data.set("csrf", box.getAttribute("data-csrf"));
      button.disabled = true;
      spoken.textContent = msg("wait");
      fetch(box.getAttribute("data-preview"), { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
        .then(function (resp) {
          if (!resp.ok) return resp.text().then(function (t) { throw new Error(t || resp.statusText); });
          var said = resp.headers.get("X-Loa-Spoken");
          spoken.textContent = said ? decodeURIComponent(said) : "";
          return resp.blob();
        })
        .then(function (blob) {
          if (audio.src) URL.revokeObjectURL(audio.src);
          audio.src = URL.createObjectURL(blob);
          audio.play().catch(function () {});
        })
        .catch(function (err) { spoken.textContent = msg("failed") + " " + err.message; })
        .then(function () { button.disabled = false; });
    };
    document.querySelectorAll("[data-speak]").forEach(function (b) {
      b.addEventListener("click", function () { speak(new FormData(b.form), b); });
    });
    document.querySelectorAll("[data-speak-text]").forEach(function (b) {
      b.addEventListener("click", function () {
        var d = new FormData();
        d.set("text", b.getAttribute("data-speak-text"));
        speak(d, b);
      });
    });
  });
})();
// Tables become cards on phones: every cell carries its column's name.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.grid").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      if (!heads.length) return;
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          var th = heads[col];
          if (th && cell.tagName === "TD" && !cell.hasAttribute("data-label") && th.textContent.trim()) {
            cell.setAttribute("data-label", th.textContent.trim());
          }
          col += cell.colSpan || 1;
        });
      });
    });
  });
})();
// Date fields read and write dd/mm/yyyy whatever the browser's language:
// the field sent keeps its name and ISO value (yyyy-mm-dd), a text field
// in front shows the Vietnamese date.
(function () {
  "use strict";
  function toVN(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : "";
  }
  function toISO(vn) {
    var m = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})\s*$/.exec(vn);
    if (!m) return null;
    var d = +m[1], mo = +m[2], y = +m[3];
    var t = new Date(Date.UTC(y, mo - 1, d));
    if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
    return y + "-" + (mo < 10 ? "0" : "") + mo + "-" + (d < 10 ? "0" : "") + d;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var en = document.documentElement.lang === "en";
    var bad = en ? "Write the date as dd/mm/yyyy, e.g. 20/12/2026" : "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 20/12/2026";
    document.querySelectorAll('input[type="date"]').forEach(function (inp) {
      var txt = document.createElement("input");
      txt.type = "text";
      txt.inputMode = "numeric";
      txt.placeholder = en ? "dd/mm/yyyy" : "ngày/tháng/năm";
      txt.className = "date-text";
      txt.autocomplete = "off";
      txt.size = 10;
      txt.required = inp.required;
      txt.value = toVN(inp.value);
      txt.setAttribute("data-date-for", inp.name);
      inp.type = "hidden";
      inp.parentNode.insertBefore(txt, inp);
      txt.addEventListener("input", function () {
        var v = txt.value.trim() === "" ? "" : toISO(txt.value);
        if (v === null) { txt.setCustomValidity(bad); return; }
        txt.setCustomValidity("");
        inp.value = v;
        inp.dispatchEvent(new Event("input", { bubbles: true }));
        inp.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  });
})();
// Live broadcast: the microphone is recorded as WebM/Opus in chunks of
// 250 ms; each chunk is sent, in order, to the live API as soon as it is
// ready (a failed send is retried with the same number); "Stop" sends the
// last chunk and ends the session on the server.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("live");
    if (!box) return;
    var start = document.getElementById("live-start"), stop = document.getElementById("live-stop");
    var status = document.getElementById("live-status"), clock = document.getElementById("live-time");
    var sentEl = document.getElementById("live-sent"), all = document.getElementById("live-all");
    var msg = function (k) { return box.getAttribute("data-msg-" + k) || ""; };
    var say = function (text, bad) { status.textContent = text; status.classList.toggle("bad", !!bad); };
    var mime = "audio/webm;codecs=opus";
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !MediaRecorder.isTypeSupported(mime)) {
      start.disabled = true;
      say(msg("unsupported"), true);
      return;
    }
    var csrf = box.getAttribute("data-csrf");
    var api = function (path, body, type) {
      var h = { "X-CSRF-Token": csrf };
      if (type) h["Content-Type"] = type;
      return fetch(path, { method: "POST", body: body, credentials: "same-origin", headers: h }).then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (b) {
          if (!resp.ok) { var e = new Error((b && b.error && b.error.message) || resp.statusText); e.status = resp.status; throw e; }
          return b;
        });
      });
    };
    var session = null, rec = null, stream = null, queue = [], seq = 0, sending = false, stopping = false, timer = null, began = 0, sent = 0;
    var targets = function () {
      if (all.checked) return [{ kind: box.getAttribute("data-all-kind"), id: Number(box.getAttribute("data-unit")) }];
      var out = [];
      box.querySelectorAll('input[name="device"]:checked').forEach(function (c) { out.push({ kind: "device", id: Number(c.value) }); });
      return out;
    };
    box.querySelectorAll('input[name="device"]').forEach(function (c) {
      c.addEventListener("change", function () { if (c.checked) all.checked = false; });
    });
    var finish = function () {
      api("/api/v1/broadcast/live/" + session.id + "/stop", null).then(function () {
        say(msg("ended"));
        window.location.reload();
      }).catch(function (err) { say(msg("failed") + " " + err.message, true); stop.disabled = false; });
    };
    var pump = function () {
      if (sending) return;
      if (!queue.length) { if (stopping && rec && rec.state === "inactive") finish(); return; }
      sending = true;
      var blob = queue[0];
      api("/api/v1/broadcast/live/" + session.id + "/chunks?seq=" + seq, blob, mime).then(function () {
        queue.shift();
        seq++;
        sent += blob.size;
        sentEl.textContent = Math.round(sent / 1000);
        sending = false;
        pump();
      }).catch(function (err) {
        sending = false;
        if (err.status && err.status !== 429 && err.status < 500) { say(msg("failed") + " " + err.message, true); return; }
        setTimeout(pump, 500);
      });
    };
    start.addEventListener("click", function () {
      var t = targets();
      if (!t.length) { say(msg("notarget"), true); return; }
      start.disabled = true;
      say(msg("starting"));
      navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } }).then(function (s) {
        stream = s;
        var title = document.getElementById("live-title").value.trim() || msg("onair");
        return api("/api/v1/broadcast/live", JSON.stringify({ unit_id: Number(box.getAttribute("data-unit")), title: title, targets: t, mime: mime }), "application/json");
      }, function () { throw new Error(msg("denied")); }).then(function (s) {
        session = s;
        rec = new MediaRecorder(stream, { mimeType: mime, audioBitsPerSecond: 32000 });
        rec.ondataavailable = function (e) { if (e.data && e.data.size) { queue.push(e.data); pump(); } };
        rec.onstop = function () {
          stream.getTracks().forEach(function (tr) { tr.stop(); });
          clearInterval(timer);
          pump();
        };
        rec.start(250);
        began = Date.now();
        timer = setInterval(function () {
          var sec = Math.floor((Date.now() - began) / 1000);
          clock.textContent = Math.floor(sec / 60) + ":" + ("0" + (sec % 60)).slice(-2);
        }, 500);
        box.setAttribute("data-session", s.id);
        stop.disabled = false;
        say(msg("onair"));
      }).catch(function (err) {
        if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
        start.disabled = false;
        say(err.message === msg("denied") ? err.message : msg("failed") + " " + err.message, true);
      });
    });
    stop.addEventListener("click", function () {
      stop.disabled = true;
      stopping = true;
      say(msg("stopping"));
      if (rec && rec.state !== "inactive") rec.stop(); else pump();
    });
  });
})();
