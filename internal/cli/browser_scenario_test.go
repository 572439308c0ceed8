package cli

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/browsertest"
	"github.com/loa-project/loa/internal/demo"
	"github.com/loa-project/loa/internal/deviceclient"
	"github.com/loa-project/loa/internal/storage"
)

// TestBrowserSeedScenarioWalk walks the seed scenario in headless
// Chromium as each demo role, from the home page and only through what
// the pages offer (links, buttons, forms; "/" is the only address typed
// after signing in), at 1366 and at 390 px, with a new directive each
// time: the Cục drafts, approves and issues it to the Sở; the Sở's clerk
// assigns it (the handling trail shows); the Sở's drafter implements it
// with a recorded bulletin through the recipient tree picker (a search
// without diacritics) to Rạch Giá; the Sở's leader approves it from the
// full view and the clerk issues it; Rạch Giá implements it down to
// Vĩnh Thanh Vân; the ward's clerk acknowledges it; the ward's radio
// operator schedules it from the station home. Then a loudspeaker of the
// ward, enrolled with the demo's key, finds in its schedule the Sở's
// recording (original sha256). Every page is checked for English service
// messages and for overflow at the width. With LOA_SCREENSHOTS=docs/images
// it keeps the homes and key steps there.
func TestBrowserSeedScenarioWalk(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("skipping: %v", err)
	}
	began := time.Now()
	data := t.TempDir()
	base := startDemoIn(t, data)
	t.Logf("demo started in %s", time.Since(began).Round(time.Second))
	ctx := browsertest.New(t, 900*time.Second)
	se := newServiceEnglish()
	shots := screenshotDir(t)
	width, who := 0, ""
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		// Kept in the repository: at most 2400 px of the page's height,
		// in 256 colours (a screenshot of a page loses nothing by it).
		raw := filepath.Join(t.TempDir(), "shot.png")
		if err := os.WriteFile(raw, png, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(shots, fmt.Sprintf("walk-%s-%d.png", name, width))
		if msg, err := exec.Command("ffmpeg", "-v", "error", "-y", "-i", raw, "-filter_complex",
			"crop=iw:min(ih\\,2400):0:0,split[a][b];[a]palettegen=max_colors=256[p];[b][p]paletteuse=dither=none", "-frames:v", "1", out).CombinedOutput(); err != nil {
			t.Fatalf("screenshot %s: %v\n%s", name, err, msg)
		}
	}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			shot("failed")
			page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + "\n" + document.querySelector('main').innerText.slice(0, 1500)`))
			t.Fatalf("at %d px: %s %s: %v\n%s", width, who, what, err, page)
		}
	}
	str := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return v
	}
	waitFor := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for str("String(!!("+expr+"))") != "true" {
			if time.Now().After(deadline) {
				shot("failed")
				t.Fatalf("at %d px: %s: timed out waiting for %s; page %s", width, who, what, str(`location.pathname + "\n" + document.querySelector('main').innerText.slice(0, 1500)`))
			}
			time.Sleep(150 * time.Millisecond)
		}
	}
	check := func() {
		t.Helper()
		path := str(`location.pathname + location.search`)
		sw, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatalf("page width: %v", err)
		}
		if sw > width {
			t.Errorf("%s at %d px: %s is %d px wide", who, width, path, sw)
		}
		if str(`document.documentElement.lang`) == "vi" {
			if found := se.find(str(`document.title + "\n" + document.body.innerText`)); len(found) > 0 {
				t.Errorf("%s: %s shows English service messages: %s", who, path, strings.Join(found, "; "))
			}
		}
	}
	// loaded waits for the page a click or a form post brings.
	loaded := func(what string) {
		t.Helper()
		waitFor(what, `window.loaWalkOld === undefined && document.readyState === 'complete' && document.querySelector('footer')`)
		check()
	}
	mark := func() { str(`window.loaWalkOld = true; 'ok'`) }
	// click follows a link or presses a button the page shows, as a
	// person does: with the mouse, where the element is on the screen.
	// chromedp measures the element and then presses at its centre, so
	// the element must stay put in between: click waits (bounded) until
	// it keeps its place for two looks in a row, and a listener on the
	// page tells whether the press reached it. A press that met no
	// control (the page moved after all) is repeated; one that met
	// another control fails the test, naming it.
	click := func(what, sel string) {
		t.Helper()
		waitFor(what+" ("+sel+")", fmt.Sprintf(`document.querySelector(%q)`, sel))
		str(fmt.Sprintf(`window.loaWalkOld = true; window.loaWalkHit = '';
			document.addEventListener('click', function (e) {
				var t = e.target.closest ? e.target : e.target.parentElement;
				if (t.closest(%q)) { window.loaWalkHit = 'hit'; return; }
				var c = t.closest('a, button, input, select, textarea, label, summary');
				window.loaWalkHit = c ? 'other ' + c.outerHTML.slice(0, 160) : 'none';
			}, true); 'ok'`, sel))
		place := fmt.Sprintf(`(function(){ var e = document.querySelector(%q); e.scrollIntoView({block: 'center'});
			var r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height, document.documentElement.scrollHeight].join(' '); })()`, sel)
		for attempt := 1; ; attempt++ {
			last, steady := str(place), 0
			for deadline := time.Now().Add(15 * time.Second); steady < 2 && time.Now().Before(deadline); {
				time.Sleep(100 * time.Millisecond)
				if now := str(place); now == last {
					steady++
				} else {
					last, steady = now, 0
				}
			}
			run(what, chromedp.Click(chromedp.CSS(sel)))
			// The old page answers until the new one replaces it; an
			// evaluation that fails ran into the navigation.
			hit, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.loaWalkOld === undefined ? 'hit' : window.loaWalkHit`))
			if err != nil || hit == "hit" {
				break
			}
			if hit != "none" && hit != "" || attempt == 3 {
				shot("failed")
				t.Fatalf("at %d px: %s %s: the press at %s did not reach %s (%s)", width, who, what, last, sel, hit)
			}
			t.Logf("at %d px: %s %s: the press met no control (the page moved); pressing again", width, who, what)
		}
		loaded(what)
	}
	// menu follows an entry of the main menu (behind its button on phones).
	menu := func(href string) {
		t.Helper()
		if width < 700 {
			run("open the menu", chromedp.Click(chromedp.CSS(`.nav-burger`)))
		}
		click("menu "+href, fmt.Sprintf(`nav.main a[href=%q]`, href))
	}
	// work opens the entry of the home's "Việc cần làm" about subject.
	work := func(subject string) {
		t.Helper()
		sel := fmt.Sprintf(`[...document.querySelectorAll('#work li')].find(li => li.textContent.includes(%q))`, subject)
		// Deliveries arrive through the job queue: open "/" again until
		// the home lists it (bounded).
		for i := 0; i < 30 && str("String(!!("+sel+"))") != "true"; i++ {
			time.Sleep(2 * time.Second)
			mark()
			run("home", chromedp.Navigate(base+"/"))
			loaded("home")
		}
		if str("String(!!("+sel+"))") != "true" {
			t.Logf("%s: the deliveries of %q: %s", who, subject, deliveriesOf(t, data, subject))
		}
		waitFor("the home to list "+subject, sel)
		mark()
		str(sel + `.querySelector('a.go').click(); 'ok'`)
		loaded("open " + subject + " from the home page")
	}
	home := func(label string) {
		t.Helper()
		mark()
		run("home", chromedp.Navigate(base+"/"))
		loaded("home")
		shot(label + "-home")
	}
	signIn := func(user, label string) {
		t.Helper()
		who = user
		mark()
		run("open /login", chromedp.Navigate(base+"/login"))
		loaded("login")
		run("sign in as "+user,
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
			chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.who .user`)),
		)
		loaded("home of " + user)
		shot(label + "-home")
	}
	signOut := func() {
		t.Helper()
		run("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
	}
	// pick ticks the first search result of the recipient picker whose
	// unit name (not the trail of units above it, which names the parent
	// of a station, say) holds all of want.
	pick := func(query string, want ...string) {
		t.Helper()
		str(`document.querySelector('#rec-search').value = ''; 'ok'`)
		run("search "+query, chromedp.SendKeys(chromedp.CSS(`#rec-search`), query))
		conds := []string{}
		for _, w := range want {
			conds = append(conds, fmt.Sprintf("li.querySelector('label').textContent.includes(%q)", w))
		}
		sel := fmt.Sprintf(`[...document.querySelectorAll('#rec-results li[data-result]')].find(li => %s)`, strings.Join(conds, " && "))
		waitFor("the picker to find "+query, sel)
		// A unit the draft names already (an implementing draft starts
		// with the sender's usual recipients) stays ticked: pressing its
		// box again would take it off.
		str(`(function(){ var cb = ` + sel + `.querySelector('input[type=checkbox]'); if (!cb.checked) cb.click(); return 'ok'; })()`)
		waitFor("the picker to count the choice", `!/\b0\b/.test(document.querySelector('#rec-count').textContent)`)
	}
	autosaved := func() {
		t.Helper()
		waitFor("the autosave", `(function(){var s=document.querySelector('#autosave-status'); return s && (s.textContent === '' || s.textContent === s.dataset.saved);})()`)
	}
	// signer fills the signing block where the profile left it empty.
	signer := func(place, authority, title string) {
		t.Helper()
		str(fmt.Sprintf(`(function(){
			var p = document.querySelector('input[name="place"]'); if (p && !p.value) { p.value = %q; p.dispatchEvent(new Event('input', {bubbles: true})); }
			var s = document.querySelector('select[name="signer_user_id"]');
			if (s && !s.value && s.options.length > 1) { s.value = s.options[1].value; s.dispatchEvent(new Event('change', {bubbles: true})); }
			var a = document.querySelector('input[name="signing_authority"]'); if (a && !a.value) { a.value = %q; a.dispatchEvent(new Event('input', {bubbles: true})); }
			var t = document.querySelector('input[name="signer_title"]'); if (t && !t.value) { t.value = %q; t.dispatchEvent(new Event('input', {bubbles: true})); }
			return 'ok'; })()`, place, authority, title))
	}
	save := func() {
		t.Helper()
		autosaved()
		click("save the draft", `#save-directive`)
		if msg := str(`[...document.querySelectorAll('.flash.error, .error')].map(e => e.textContent).join(' ')`); strings.TrimSpace(msg) != "" {
			t.Logf("%s: after saving: %s", who, msg)
		}
	}
	submit := func() {
		t.Helper()
		click("submit the draft", `#submit-directive`)
		waitFor("the draft to be submitted", `document.querySelector('#directive-status.state-submitted')`)
	}
	approve := func(label string) {
		t.Helper()
		waitFor("the full view", `document.querySelector('#full-view')`)
		shot(label + "-full-view")
		click("approve", `#approve-directive`)
		waitFor("the approval", `document.querySelector('#directive-status.state-approved')`)
	}
	today := time.Now().In(time.FixedZone("ICT", 7*3600))
	issue := func(label string) {
		t.Helper()
		waitFor("the issue form", `document.querySelector('#issue-date')`)
		run("the issue date", chromedp.SetValue(chromedp.CSS(`#issue-date`), today.Format("2006-01-02")))
		click("issue", `#issue-directive`)
		if str(`String(!!document.querySelector('#tracking-matrix'))`) != "true" {
			shot(label + "-issue-failed")
			t.Fatalf("%s at %d px: issuing did not open the tracking page: %s", who, width, str(`document.querySelector('main').innerText.slice(0, 600)`))
		}
		shot(label + "-issued")
	}

	// The device side: a loudspeaker of Vĩnh Thanh Vân enrols with the
	// demo's key (demo.json) and reads its schedule.
	var creds struct {
		EnrolmentKey  string `json:"enrolment_key"`
		EnrolmentUnit string `json:"enrolment_unit"`
	}
	raw, err := os.ReadFile(filepath.Join(data, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &creds); err != nil {
		t.Fatal(err)
	}
	if creds.EnrolmentUnit != "dtt-vinh-thanh-van" {
		t.Fatalf("demo.json enrols devices at %q", creds.EnrolmentUnit)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer dcancel()
	enr, err := deviceclient.Enrol(dctx, base, nil, protocol.EnrolRequest{Key: creds.EnrolmentKey, Name: "Cụm loa kiểm thử", HardwareID: "walk-1", Kind: protocol.KindLoudspeaker})
	if err != nil {
		t.Fatalf("enrol a loudspeaker: %v", err)
	}
	device, err := deviceclient.NewClient(base, nil, enr.DeviceID, enr.Credential)
	if err != nil {
		t.Fatal(err)
	}

	for i, w := range []int{1366, 390} {
		width = w
		run("viewport", chromedp.EmulateViewport(int64(w), 900))
		subject := fmt.Sprintf("Tuyên truyền phòng, chống dịch trong mùa mưa bão (đợt %d)", i+1)
		itemText := fmt.Sprintf("Phát bản tin khuyến cáo người dân chủ động phòng, chống dịch bệnh, đợt %d.", i+1)
		// The Sở's recorded bulletin: a short tone, different each pass.
		audio := filepath.Join(t.TempDir(), fmt.Sprintf("ban-tin-dot-%d.wav", i+1))
		bulletinHz := 440 + 110*i
		if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d:duration=3", bulletinHz), "-ac", "1", "-ar", "16000", audio).CombinedOutput(); err != nil {
			t.Fatalf("make the bulletin: %v\n%s", err, out)
		}
		audioBytes, err := os.ReadFile(audio)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(audioBytes)
		audioSHA := hex.EncodeToString(sum[:])

		// 1. The Cục's drafter drafts the directive to the Sở.
		signIn("chuyenvien.cuc", "cuc-drafter")
		menu("/directives")
		click("new directive", `#new-directive`)
		waitFor("the editor", `document.querySelector('#directive-form')`)
		str(`document.querySelector('textarea[name="subject"]').value = ''; 'ok'`)
		run("subject", chromedp.SendKeys(chromedp.CSS(`textarea[name="subject"]`), subject))
		if str(`String(!!document.querySelector('textarea[name="item_text_0"]'))`) != "true" {
			run("add an item", chromedp.Click(chromedp.CSS(`#add-item`)), chromedp.WaitVisible(chromedp.CSS(`textarea[name="item_text_0"]`)))
		}
		run("item", chromedp.SendKeys(chromedp.CSS(`textarea[name="item_text_0"]`), itemText))
		str(`(function(){var b = document.querySelector('input[name="item_bc_0"]'); if (b && !b.checked) b.click(); return 'ok';})()`)
		pick("so thong tin va truyen thong kien giang", "Sở Thông tin và Truyền thông tỉnh Kiên Giang")
		signer("Hà Nội", "KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG")
		save()
		shot("cuc-drafter-editor")
		submit()
		signOut()

		// 2. The Cục's leader approves it; the Cục's clerk issues it.
		signIn("lanhdao.cuc", "cuc-leader")
		work(subject)
		approve("cuc-leader")
		signOut()
		signIn("vanthu.cuc", "cuc-clerk")
		work(subject)
		issue("cuc-clerk")
		signOut()

		// 3. The Sở's clerk receives it and assigns it to the drafter.
		signIn("vanthu.so", "so-clerk")
		work(subject)
		waitFor("the assign form", `document.querySelector('#assignee')`)
		str(`(function(){var s = document.querySelector('#assignee'); var o = [...s.options].find(o => o.textContent.includes('Trần Minh Khoa')); s.value = o.value; return 'ok';})()`)
		run("instruction", chromedp.SendKeys(chromedp.CSS(`#assign-note`), "Chuyển phòng TTBCBC tham mưu văn bản triển khai."))
		click("assign", `#assign`)
		waitFor("the handling trail", `document.body.innerText.includes('Trần Minh Khoa') && document.querySelector('.trail, #trail, [id^="trail"]')`)
		shot("so-clerk-trail")
		signOut()

		// 4. The Sở's drafter implements it with the recorded bulletin.
		signIn("chuyenvien.so", "so-drafter")
		work(subject)
		click("implement", `#forward`)
		waitFor("the editor", `document.querySelector('#directive-form')`)
		run("attach the bulletin", chromedp.SetUploadFiles(chromedp.CSS(`form[action*="/attachments"] input[type=file]`), []string{audio}))
		click("upload the bulletin", `form[action*="/attachments"] button[type=submit]`)
		waitFor("the bulletin in the item's audio list", fmt.Sprintf(`[...document.querySelectorAll('select[name="item_audio_0"] option')].find(o => o.textContent.includes(%q))`, filepath.Base(audio)))
		str(fmt.Sprintf(`(function(){
			var s = document.querySelector('select[name="item_audio_0"]');
			[...s.options].forEach(o => { o.selected = o.textContent.includes(%q); });
			s.dispatchEvent(new Event('change', {bubbles: true}));
			var b = document.querySelector('input[name="item_bc_0"]'); if (b && !b.checked) b.click();
			var set = (n, v) => { var e = document.querySelector('[name="' + n + '"]'); if (e && !e.value) { e.value = v; e.dispatchEvent(new Event('change', {bubbles: true})); } };
			set('item_start_0', %q); set('item_end_0', %q);
			var n = document.querySelector('[name="item_times_0"]'); if (n && (!n.value || n.value === '0')) { n.value = '2'; n.dispatchEvent(new Event('change', {bubbles: true})); }
			return 'ok'; })()`, filepath.Base(audio), today.Format("2006-01-02"), today.AddDate(0, 0, 7).Format("2006-01-02")))
		pick("rach gia", "Ủy ban nhân dân thành phố Rạch Giá")
		signer("Kiên Giang", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
		save()
		shot("so-drafter-editor")
		submit()
		signOut()

		// 5. The Sở's leader approves from the full view; the clerk issues.
		signIn("lamvanson", "so-leader")
		work(subject)
		if plan := str(`(document.querySelector('#broadcast-plan') || {innerText: ''}).innerText`); !strings.Contains(plan, filepath.Base(audio)) {
			t.Errorf("at %d px: the leader's broadcast plan does not show the recorded bulletin: %q", width, plan)
		}
		approve("so-leader")
		signOut()
		signIn("vanthu.so", "so-clerk")
		work(subject)
		issue("so-clerk")
		signOut()

		// 6. Rạch Giá implements it down to Vĩnh Thanh Vân.
		signIn("vanthu.rachgia", "district-clerk")
		work(subject)
		click("implement", `#forward`)
		waitFor("the editor", `document.querySelector('#directive-form')`)
		pick("vinh thanh van", "Ủy ban nhân dân phường Vĩnh Thanh Vân")
		signer("Rạch Giá", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
		save()
		shot("district-editor")
		submit()
		signOut()
		signIn("lanhdao.rachgia", "district-leader")
		work(subject)
		approve("district-leader")
		signOut()
		signIn("vanthu.rachgia", "district-clerk")
		work(subject)
		issue("district-clerk")
		signOut()

		// 7. The ward's clerk acknowledges it.
		signIn("xaphuong.vinhthanhvan", "commune-clerk")
		work(subject)
		shot("commune-clerk-delivery")
		if str(`String(!!document.querySelector('#acknowledge'))`) == "true" {
			click("acknowledge", `#acknowledge`)
		}
		signOut()

		// 8. The ward's radio operator schedules it from the station home
		// and opens the order from the list scheduling leads to: it plays
		// the recording (not machine speech), and the original file
		// behind it is the Sở's bulletin, byte for byte.
		signIn("phatthanh.vinhthanhvan", "commune-radio")
		if str(`String(!!document.querySelector('#home-schedule'))`) == "true" {
			click("schedule from the station home", `#home-schedule`)
		} else {
			menu("/broadcast")
			click("the orders tab", `nav.subnav a[href^="/broadcast/orders"]`)
		}
		orderLink := fmt.Sprintf(`[...document.querySelectorAll('main a[href^="/broadcast/orders/"]')].find(a => a.textContent.includes(%q))`, strings.TrimSuffix(itemText, "."))
		for i := 0; i < 20 && str("String(!!("+orderLink+"))") != "true"; i++ {
			// Automatic scheduling may still be making the order.
			time.Sleep(2 * time.Second)
			mark()
			run("reload the orders", chromedp.Reload())
			loaded("the orders")
		}
		waitFor("the order of the item in the list", orderLink)
		shot("commune-radio-orders")
		mark()
		str(orderLink + `.click(); 'ok'`)
		loaded("open the order")
		if got := str(`(document.querySelector('#order-sound') || {dataset: {}}).dataset.recorded || ''`); got != "1" {
			t.Errorf("at %d px: the order page says the item plays %q, not the recording", width, str(`(document.querySelector('#order-sound') || {innerText: 'nothing'}).innerText`))
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#order-original').href, {credentials: 'same-origin'})
			.then(r => r.arrayBuffer()).then(b => crypto.subtle.digest('SHA-256', b))
			.then(h => [...new Uint8Array(h)].map(x => x.toString(16).padStart(2, '0')).join(''))`, chromedp.EvalAwaitPromise))
		if err != nil || got != audioSHA {
			t.Errorf("at %d px: the order's original file has sha256 %s (%v), the Sở attached %s", width, got, err, audioSHA)
		}
		shot("commune-radio-order")
		home("commune-radio")
		signOut()

		// 9. A loudspeaker of the ward finds the item in its schedule with
		// the Sở's recording as its original, downloads its audio through
		// the device API (checked against its sha256) and that audio is the
		// bulletin's tone, of the bulletin's length: not machine speech.
		deadline := time.Now().Add(90 * time.Second)
		var item *protocol.Item
		var titles []string
		for item == nil && time.Now().Before(deadline) {
			s, _, _, err := device.FetchSchedule(dctx, "")
			if err != nil {
				t.Fatalf("the loudspeaker's schedule: %v", err)
			}
			titles = titles[:0]
			for k, it := range s.Items {
				titles = append(titles, it.Title)
				if it.Media.OriginalSHA256 == audioSHA {
					item = &s.Items[k]
				}
			}
			if item == nil {
				time.Sleep(time.Second)
			}
		}
		if item == nil {
			t.Fatalf("at %d px: the ward's loudspeaker does not play the Sở's recording %s; its schedule: %q", width, audioSHA, titles)
		}
		if !strings.Contains(item.Title, strings.TrimSuffix(itemText, ".")) {
			t.Errorf("at %d px: the loudspeaker's item is titled %q, not by its content", width, item.Title)
		}
		file, err := device.Download(dctx, item.Media, filepath.Join(t.TempDir(), "media"))
		if err != nil {
			t.Fatalf("at %d px: the loudspeaker downloads its audio: %v", width, err)
		}
		hz, secs := toneOf(t, file)
		if want := float64(bulletinHz); math.Abs(hz-want) > want*0.03 || math.Abs(secs-3) > 0.3 {
			t.Errorf("at %d px: the loudspeaker plays %.0f Hz for %.1f s; the Sở's bulletin is %.0f Hz for 3 s", width, hz, secs, want)
		}
		t.Logf("at %d px the walk took %s", width, time.Since(began).Round(time.Second))
	}
}

// toneOf decodes an audio file to 16 kHz mono samples (ffmpeg) and
// returns its pitch, from the rate of zero crossings, and its length in
// seconds: a steady tone's pitch is its frequency, speech has none.
func toneOf(t *testing.T, path string) (hz, seconds float64) {
	t.Helper()
	const rate = 16000
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-ac", "1", "-ar", fmt.Sprint(rate), "-f", "s16le", "-").Output()
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	n := len(out) / 2
	seconds = float64(n) / rate
	// Crossings with hysteresis (the near-silence around the sound does
	// not count), timed from the first to the last.
	crossings, sign, first, last := 0, 0, -1, -1
	for k := 0; k < n; k++ {
		v, s := int16(binary.LittleEndian.Uint16(out[2*k:])), 0
		switch {
		case v > 300:
			s = 1
		case v < -300:
			s = -1
		default:
			continue
		}
		if sign != 0 && s != sign {
			crossings++
			if first < 0 {
				first = k
			}
			last = k
		}
		sign = s
	}
	if crossings < 2 {
		return 0, seconds
	}
	return float64(crossings-1) / 2 / (float64(last-first) / rate), seconds
}

// deliveriesOf lists, for a failure message, where the directives with
// this subject were sent and what became of each delivery (the demo's
// database, read beside the running server).
func deliveriesOf(t *testing.T, data, subject string) string {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(ctx, "sqlite:"+filepath.Join(data, "loa.db"))
	if err != nil {
		return err.Error()
	}
	defer st.Close()
	var out string
	if err := st.QueryRowRaw(ctx, `SELECT coalesce(group_concat(d.code || ' ' || su.name || ' → ' || ru.name || ' (' || dl.purpose || '): ' || dl.status
		|| ', ' || dl.attempts || ' attempts ' || dl.last_error, '; '), 'none') FROM deliveries dl
		JOIN directives d ON d.id = dl.directive_id JOIN units su ON su.id = dl.sender_unit_id JOIN units ru ON ru.id = dl.recipient_unit_id
		WHERE dl.subject = ?`, subject).Scan(&out); err != nil {
		return err.Error()
	}
	return out
}
