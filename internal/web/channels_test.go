package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// confirm posts a task confirmation with a link and one file.
func (e *env) confirm(token string, taskID int64, link, filename string, file []byte) result {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("note", "Đã đăng trên báo in số 1234")
	_ = mw.WriteField("link", link)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/channels/tasks/%d/confirm", e.srv.URL, taskID), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: b}
}

func TestManualChannelTasksWithEvidence(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		district := e.unit("ubnd-rach-gia")
		centre := e.unit("ttvh-rach-gia")
		admin := e.tokenFor("admin.rachgia")
		r := e.do("POST", "/api/v1/channels/tasks", admin, map[string]any{"unit_id": district.ID, "directive_id": 1, "kinds": []string{"press", "bulletin_board"},
			"unit_ids": []int64{centre.ID}, "title": "Đăng tin vận động Quỹ vắc xin", "due_date": time.Now().AddDate(0, 0, 30).Format("2006-01-02")})
		if r.code != 201 {
			t.Fatalf("create tasks: %d %s", r.code, r.body)
		}
		var batch struct {
			Tasks []struct {
				ID     int64
				Kind   string
				Status string
			} `json:"created"`
		}
		r.json(t, &batch)
		if len(batch.Tasks) != 2 {
			t.Fatalf("tasks: %s", r.body)
		}
		worker := e.tokenFor("ttvh.rachgia")
		var pngBuf bytes.Buffer
		img := image.NewRGBA(image.Rect(0, 0, 40, 30))
		img.Set(3, 3, color.RGBA{R: 200, A: 255})
		if err := png.Encode(&pngBuf, img); err != nil {
			t.Fatal(err)
		}
		// A text file named .jpg is refused and changes nothing.
		if r = e.confirm(worker, batch.Tasks[0].ID, "https://baokiengiang.vn/tin-1234", "photo.jpg", []byte("not a photo")); r.code != 400 {
			t.Fatalf("text named .jpg: %d %s", r.code, r.body)
		}
		// Another district's clerk may not confirm it.
		if r = e.confirm(e.tokenFor("vanthu.kienluong"), batch.Tasks[0].ID, "https://x.vn/a", "a.txt", []byte("x")); r.code != 403 {
			t.Fatalf("outsider confirmation: %d %s", r.code, r.body)
		}
		if r = e.confirm(worker, batch.Tasks[0].ID, "https://baokiengiang.vn/tin-1234", "board.png", pngBuf.Bytes()); r.code != 200 {
			t.Fatalf("confirm: %d %s", r.code, r.body)
		}
		r = e.do("GET", "/api/v1/channels/report?directive_id=1", admin, nil)
		var rep map[string]any
		r.json(t, &rep)
		if r.code != 200 || !strings.Contains(string(r.body), `"done": 1`) {
			t.Fatalf("report: %d %s", r.code, r.body)
		}
		// Without a configured gateway, campaigns are refused clearly.
		r = e.do("POST", "/api/v1/channels/campaigns", admin, map[string]any{"unit_id": district.ID, "text": "Thông báo", "phones": []string{"0912345678"}})
		var apiErr struct{ Error struct{ Message string } }
		_ = json.Unmarshal(r.body, &apiErr)
		if r.code != 400 || !strings.Contains(apiErr.Error.Message, "gateway") {
			t.Fatalf("campaign without gateway: %d %s", r.code, r.body)
		}
	})
}
