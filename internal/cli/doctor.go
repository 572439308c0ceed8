package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/storage"
)

// doctorLevel is the outcome of one check.
type doctorLevel int

const (
	levelOK doctorLevel = iota
	levelWarn
	levelFail
)

func (l doctorLevel) label() string {
	return [...]string{"[ OK ]", "[CẢNH BÁO/WARN]", "[LỖI/FAIL]"}[l]
}

// finding is what one check found, in Vietnamese and English.
type finding struct {
	level  doctorLevel
	name   string
	vi, en string
}

// doctor runs the checks of `loa doctor`.
type doctor struct {
	cfg  Config
	path string // PATH the tools are looked up in
	out  []finding
	// ntpServer answers the clock check; empty skips it.
	ntpServer string
}

func (d *doctor) add(level doctorLevel, name, vi, en string) {
	d.out = append(d.out, finding{level: level, name: name, vi: vi, en: en})
}

// look finds an executable in d.path.
func (d *doctor) look(name string) (string, bool) {
	for _, dir := range filepath.SplitList(d.path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// tool checks that a required program is installed.
func (d *doctor) tool(name, pkg, purpose string, level doctorLevel) (string, bool) {
	p, ok := d.look(name)
	if !ok {
		d.add(level, name,
			fmt.Sprintf("không tìm thấy %s trong PATH (%s); cài gói Debian: apt-get install %s", name, purpose, pkg),
			fmt.Sprintf("%s not found in PATH (needed for %s); install the Debian package: apt-get install %s", name, purpose, pkg))
		return "", false
	}
	d.add(levelOK, name, "có "+p, "found "+p)
	return p, true
}

func (d *doctor) run(ctx context.Context, env Env) {
	d.tool("ffmpeg", "ffmpeg", "audio uploads and bulletins", levelFail)
	d.tool("ffprobe", "ffmpeg", "audio uploads", levelFail)
	d.voices(ctx)
	d.fonts()
	d.ocr(ctx)
	d.disk()
	d.database(ctx, env)
	d.clock(ctx)
	d.publicURL(ctx)
	d.smtp(ctx)
	d.sms(ctx)
}

// espeakVoices are the Vietnamese voices Loa's text bulletins use
// (internal/media/tts).
var doctorVoices = []string{"vi", "vi-vn-x-central", "vi-vn-x-south"}

func (d *doctor) voices(ctx context.Context) {
	if d.cfg.TTS.URL != "" {
		d.add(levelOK, "tts", "dùng dịch vụ TTS "+d.cfg.TTS.URL, "using the TTS service "+d.cfg.TTS.URL)
		return
	}
	p, ok := d.tool("espeak-ng", "espeak-ng", "text bulletins (text to speech)", levelFail)
	if !ok {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, p, "--voices=vi").Output()
	if err != nil {
		d.add(levelFail, "espeak-ng voices", "không liệt kê được giọng đọc: "+err.Error(), "cannot list voices: "+err.Error())
		return
	}
	have := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			have[strings.ToLower(f[1])] = true
		}
	}
	var missing []string
	for _, v := range doctorVoices {
		if !have[v] {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		d.add(levelFail, "espeak-ng voices",
			fmt.Sprintf("thiếu giọng tiếng Việt %s; cài lại gói espeak-ng-data", strings.Join(missing, ", ")),
			fmt.Sprintf("Vietnamese voices missing: %s; reinstall the Debian package espeak-ng-data", strings.Join(missing, ", ")))
		return
	}
	d.add(levelOK, "espeak-ng voices", "đủ ba giọng Bắc, Trung, Nam", "the northern, central and southern voices are installed")
}

// fonts: the official layout (Nghị định 30/2020) is rendered with the
// embedded Liberation Serif; the same family from fonts-liberation2 lets
// browsers and converters on the server show it too.
func (d *doctor) fonts() {
	const sys = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
	if _, err := os.Stat(sys); err != nil {
		d.add(levelWarn, "fonts", "PDF dùng phông nhúng sẵn; thiếu phông hệ thống Liberation Serif 2 (apt-get install fonts-liberation2)",
			"PDFs use the embedded fonts; the system font Liberation Serif 2 is missing (apt-get install fonts-liberation2)")
		return
	}
	d.add(levelOK, "fonts", "phông Liberation Serif (thay Times New Roman) có sẵn", "Liberation Serif (metric-compatible with Times New Roman) is installed")
}

func (d *doctor) ocr(ctx context.Context) {
	p, ok := d.look("tesseract")
	if !ok {
		d.add(levelWarn, "ocr", "chưa có tesseract (nhận dạng văn bản quét, chưa bắt buộc): apt-get install tesseract-ocr tesseract-ocr-vie",
			"tesseract not installed (OCR of scanned documents, optional for now): apt-get install tesseract-ocr tesseract-ocr-vie")
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(cctx, p, "--list-langs").CombinedOutput()
	for _, l := range strings.Fields(string(out)) {
		if l == "vie" {
			d.add(levelOK, "ocr", "tesseract có dữ liệu tiếng Việt", "tesseract has Vietnamese data")
			return
		}
	}
	d.add(levelWarn, "ocr", "tesseract thiếu dữ liệu tiếng Việt: apt-get install tesseract-ocr-vie", "tesseract lacks Vietnamese data: apt-get install tesseract-ocr-vie")
}

// Disk space thresholds of the data directory.
const (
	diskFailBytes = 1 << 30
	diskWarnBytes = 10 << 30
)

func (d *doctor) disk() {
	dir := d.cfg.DataDir
	for {
		if _, err := os.Stat(dir); err == nil || dir == filepath.Dir(dir) {
			break
		}
		dir = filepath.Dir(dir)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		d.add(levelFail, "disk", "không đọc được dung lượng thư mục dữ liệu "+d.cfg.DataDir+": "+err.Error(), "cannot read free space of the data directory "+d.cfg.DataDir+": "+err.Error())
		return
	}
	free := st.Bavail * uint64(st.Bsize)
	gib := float64(free) / (1 << 30)
	vi := fmt.Sprintf("thư mục dữ liệu %s còn trống %s GiB", d.cfg.DataDir, strings.Replace(fmt.Sprintf("%.1f", gib), ".", ",", 1))
	en := fmt.Sprintf("data directory %s has %.1f GiB free", d.cfg.DataDir, gib)
	switch {
	case free < diskFailBytes:
		d.add(levelFail, "disk", vi+" (cần ít nhất 1 GiB)", en+" (at least 1 GiB needed)")
	case free < diskWarnBytes:
		d.add(levelWarn, "disk", vi+" (nên có trên 10 GiB cho âm thanh và văn bản)", en+" (over 10 GiB advised for audio and documents)")
	default:
		d.add(levelOK, "disk", vi, en)
	}
}

// fdsPerDevice is the file descriptors one enrolled device needs (its push
// connection), fdsReserve those of the server itself.
const (
	fdsPerDevice = 1
	fdsReserve   = 512
)

func (d *doctor) database(ctx context.Context, env Env) {
	dsn := (&dbFlags{data: d.cfg.DataDir, db: d.cfg.Database}).url(env)
	if strings.HasPrefix(dsn, "sqlite:") {
		if _, err := os.Stat(strings.TrimPrefix(dsn, "sqlite:")); err != nil {
			d.add(levelWarn, "database", "chưa có cơ sở dữ liệu "+dsn+"; loa serve sẽ tạo khi khởi động", "no database at "+dsn+" yet; loa serve creates it on start")
			d.fileLimit(-1)
			return
		}
	}
	st, err := storage.Open(ctx, dsn)
	if err != nil {
		d.add(levelFail, "database", "không kết nối được cơ sở dữ liệu: "+err.Error(), "database unreachable: "+err.Error())
		d.fileLimit(-1)
		return
	}
	defer st.Close()
	plan, err := st.PlanMigrations(ctx)
	switch {
	case err != nil:
		d.add(levelFail, "database", "không đọc được phiên bản lược đồ: "+err.Error(), "cannot read the schema version: "+err.Error())
	case len(plan.Unknown) > 0:
		d.add(levelFail, "database", fmt.Sprintf("lược đồ mới hơn phiên bản Loa này (%v): cài bản Loa mới hơn", plan.Unknown),
			fmt.Sprintf("schema newer than this Loa (%v): install the newer release", plan.Unknown))
	case len(plan.Pending) > 0:
		d.add(levelWarn, "database", fmt.Sprintf("còn %d bản nâng cấp lược đồ chưa chạy; loa serve hoặc loa migrate sẽ chạy (xem loa migrate --dry-run)", len(plan.Pending)),
			fmt.Sprintf("%d schema migration(s) pending; loa serve or loa migrate applies them (see loa migrate --dry-run)", len(plan.Pending)))
	default:
		d.add(levelOK, "database", "kết nối được, lược đồ đã cập nhật", "reachable and migrated")
	}
	n := -1
	if len(plan.Pending) == 0 && err == nil {
		if c, err := st.CountActiveDevices(ctx); err == nil {
			n = c
		}
	}
	d.fileLimit(n)
}

// fileLimit compares the open-file limit with the enrolled devices (-1:
// unknown), each holding a connection.
func (d *doctor) fileLimit(devices int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		d.add(levelWarn, "open files", "không đọc được giới hạn tệp mở: "+err.Error(), "cannot read the open-file limit: "+err.Error())
		return
	}
	need := uint64(fdsReserve)
	if devices > 0 {
		need += uint64(devices * fdsPerDevice)
	}
	vi := fmt.Sprintf("giới hạn tệp mở %d, cần khoảng %d cho %d thiết bị", lim.Cur, need, max(devices, 0))
	en := fmt.Sprintf("open-file limit %d, about %d needed for %d devices", lim.Cur, need, max(devices, 0))
	if lim.Cur < need {
		d.add(levelFail, "open files", vi+"; tăng LimitNOFILE trong đơn vị systemd (gói cài sẵn 65536)", en+"; raise LimitNOFILE in the systemd unit (the package sets 65536)")
		return
	}
	d.add(levelOK, "open files", vi, en)
}

// clock compares the system clock with an NTP server (SNTP, RFC 4330).
func (d *doctor) clock(ctx context.Context) {
	if d.ntpServer == "" {
		return
	}
	off, err := sntpOffset(ctx, d.ntpServer)
	if err != nil {
		d.add(levelWarn, "clock", "không kiểm tra được đồng hồ với "+d.ntpServer+": "+err.Error(), "cannot compare the clock with "+d.ntpServer+": "+err.Error())
		return
	}
	vi := fmt.Sprintf("đồng hồ lệch %s so với %s", off.Round(time.Millisecond), d.ntpServer)
	en := fmt.Sprintf("clock off by %s from %s", off.Round(time.Millisecond), d.ntpServer)
	if off.Abs() > 2*time.Second {
		d.add(levelWarn, "clock", vi+"; bật đồng bộ giờ (systemd-timesyncd hoặc chrony): lịch phát thanh và thời hạn dựa vào đồng hồ", en+"; enable time sync (systemd-timesyncd or chrony): broadcast schedules and deadlines rely on it")
		return
	}
	d.add(levelOK, "clock", vi, en)
}

// sntpOffset asks one NTP server for the time and returns how far the
// local clock is off.
func sntpOffset(ctx context.Context, server string) (time.Duration, error) {
	var dl net.Dialer
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := dl.DialContext(cctx, "udp", server)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := make([]byte, 48)
	req[0] = 0x23 // version 4, client
	t1 := time.Now()
	if _, err := conn.Write(req); err != nil {
		return 0, err
	}
	resp := make([]byte, 48)
	n, err := conn.Read(resp)
	t4 := time.Now()
	if err != nil {
		return 0, err
	}
	if n < 48 || resp[0]&0x07 != 4 {
		return 0, errors.New("not an NTP server answer")
	}
	ntp := func(b []byte) time.Time {
		sec := binary.BigEndian.Uint32(b[:4])
		frac := binary.BigEndian.Uint32(b[4:8])
		return time.Unix(int64(sec)-2208988800, int64(uint64(frac)*1e9>>32))
	}
	t2, t3 := ntp(resp[32:40]), ntp(resp[40:48])
	return (t2.Sub(t1) + t3.Sub(t4)) / 2, nil
}

func (d *doctor) publicURL(ctx context.Context) {
	if d.cfg.PublicURL == "" {
		d.add(levelWarn, "public url", "chưa đặt public_url: liên kết trong thông báo và cho thiết bị có thể sai", "public_url not set: links in notifications and for devices may be wrong")
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := strings.TrimRight(d.cfg.PublicURL, "/") + "/healthz"
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, u, nil)
	if err != nil {
		d.add(levelFail, "public url", "public_url không hợp lệ: "+err.Error(), "invalid public_url: "+err.Error())
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.add(levelWarn, "public url", "máy chủ không truy cập được "+u+": "+err.Error()+" (Loa đã chạy chưa? DNS, tường lửa, proxy?)",
			"the server cannot reach "+u+": "+err.Error()+" (is Loa running? DNS, firewall, proxy?)")
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		d.add(levelWarn, "public url", fmt.Sprintf("%s trả lời %d", u, resp.StatusCode), fmt.Sprintf("%s answered %d", u, resp.StatusCode))
		return
	}
	d.add(levelOK, "public url", "truy cập được "+u, "reachable: "+u)
}

// reach opens a TCP connection to host:port.
func reach(ctx context.Context, addr string) error {
	var dl net.Dialer
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := dl.DialContext(cctx, "tcp", addr)
	if err != nil {
		return err
	}
	return c.Close()
}

func (d *doctor) smtp(ctx context.Context) {
	if d.cfg.SMTP.Addr == "" {
		return
	}
	if err := reach(ctx, d.cfg.SMTP.Addr); err != nil {
		d.add(levelFail, "smtp", "không kết nối được máy chủ thư "+d.cfg.SMTP.Addr+": "+err.Error(), "SMTP server "+d.cfg.SMTP.Addr+" unreachable: "+err.Error())
		return
	}
	d.add(levelOK, "smtp", "kết nối được "+d.cfg.SMTP.Addr, "reachable: "+d.cfg.SMTP.Addr)
}

func (d *doctor) sms(ctx context.Context) {
	if d.cfg.SMS.Config == "" {
		return
	}
	b, err := os.ReadFile(d.cfg.SMS.Config)
	var sc smsConfig
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(&sc)
	}
	var gc channels.HTTPGatewayConfig
	if err == nil {
		gc, err = channels.ParseHTTPGatewayConfig(sc.Gateway)
	}
	if err != nil {
		d.add(levelFail, "sms", "cấu hình cổng SMS "+d.cfg.SMS.Config+" sai: "+err.Error(), "SMS gateway configuration "+d.cfg.SMS.Config+" invalid: "+err.Error())
		return
	}
	u, err := url.Parse(gc.URL)
	if err != nil {
		d.add(levelFail, "sms", "địa chỉ cổng SMS sai: "+err.Error(), "invalid SMS gateway URL: "+err.Error())
		return
	}
	host := u.Host
	if u.Port() == "" {
		port := "443"
		if u.Scheme == "http" {
			port = "80"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	if err := reach(ctx, host); err != nil {
		d.add(levelFail, "sms", "không kết nối được cổng SMS "+host+": "+err.Error(), "SMS gateway "+host+" unreachable: "+err.Error())
		return
	}
	d.add(levelOK, "sms", "kết nối được cổng SMS "+host, "SMS gateway reachable: "+host)
}

// runDoctor implements `loa doctor`.
func runDoctor(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "doctor", "doctor [--config FILE] [flags of serve]")
	resolve := configFlags(fs, env)
	ntp := fs.String("ntp-server", "pool.ntp.org:123", "NTP server the clock is compared with (empty: skip the clock check)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	d := &doctor{cfg: cfg, path: env.Getenv("PATH"), ntpServer: *ntp}
	d.run(ctx, env)
	failed := 0
	for _, f := range d.out {
		fmt.Fprintf(env.Stdout, "%-16s %s: %s\n%-16s %s  %s\n", f.level.label(), f.name, f.vi, "", strings.Repeat(" ", len(f.name)), f.en)
		if f.level == levelFail {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d kiểm tra bắt buộc không đạt / %d required check(s) failed", failed, failed)
	}
	fmt.Fprintln(env.Stdout, "Mọi kiểm tra bắt buộc đều đạt. / All required checks passed.")
	return nil
}
