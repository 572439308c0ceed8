package edxml

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const (
	goldenDoc    = "testdata/cv-570-STTTT-TTBCBC-2021.edxml"
	goldenStatus = "testdata/status-03-cv-570.edxml"
)

// seedFields loads the expected parse of the seed letter (a copy of
// samples/cv-570-STTTT-TTBCBC-2021.expected.json).
func seedFields(t testing.TB) docmodel.Fields {
	t.Helper()
	b, err := os.ReadFile("testdata/cv-570-STTTT-TTBCBC-2021.expected.json")
	if err != nil {
		t.Fatalf("read seed fields: %v", err)
	}
	var f docmodel.Fields
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("parse seed fields: %v", err)
	}
	return f
}

// mp3Blob is a deterministic MP3-like binary: an ID3v2.3 header, MPEG-1
// Layer III frame sync words and pseudo-random payload covering all byte
// values, including 0x00 and 0xFF.
func mp3Blob() []byte {
	b := []byte("ID3\x03\x00\x00\x00\x00\x00\x0a")
	b = append(b, make([]byte, 10)...)
	x := uint32(2021)
	for len(b) < 1500 {
		if len(b)%417 == 20 {
			b = append(b, 0xFF, 0xFB, 0x90, 0x64)
			continue
		}
		x = x*1664525 + 1013904223
		b = append(b, byte(x>>24))
	}
	return b
}

func seedAttachments() []Attachment {
	return []Attachment{
		{
			ContentID:   "576-audio-5k-vacxin",
			ContentType: "audio/mpeg",
			Name:        "5K-vac-xin.mp3",
			Description: "File âm thanh tuyên truyền 5K + vắc xin",
			Data:        mp3Blob(),
		},
		{
			ContentID:   "576-tai-lieu",
			ContentType: "text/plain; charset=utf-8",
			Name:        "tai-lieu-tuyen-truyen.txt",
			Description: "Tài liệu tuyên truyền <Quỹ vắc xin> & phòng, chống Covid-19",
			Data:        []byte("Quỹ vắc xin phòng, chống Covid-19 Việt Nam\nSố tài khoản: …\n"),
		},
	}
}

// OrganIds below are illustrative values of the Decision 20/2020 form, not
// the real codes of these agencies.
var (
	seedFrom = Organ{
		ID:        "000.15.33.H33",
		Address:   "Số 1 đường Trần Phú, thành phố Rạch Giá, tỉnh Kiên Giang",
		Email:     "stttt@kiengiang.gov.vn",
		Telephone: "0297 3 000 000",
		Website:   "https://stttt.kiengiang.gov.vn",
	}
	seedTo = []Organ{
		{ID: "000.30.33.H33", Name: "Báo Kiên Giang"},
		{ID: "000.31.33.H33", Name: "Đài Phát thanh và Truyền hình Kiên Giang"},
		{ID: "000.32.33.H33", Name: "Cổng Thông tin điện tử tỉnh"},
		{ID: "000.00.01.H33", InCharge: "UBND tỉnh Kiên Giang", Name: "UBND thành phố Rạch Giá"},
	}
)

func seedMessage(t testing.TB) *Message {
	t.Helper()
	resolve := func(r docmodel.Reference) string {
		if docmodel.Val(r.Issuer) == "Cục Thông tin cơ sở" {
			return "000.00.21.G12"
		}
		return ""
	}
	m, err := FromFields(seedFields(t), seedFrom, seedTo, seedAttachments(),
		WithOrganIDResolver(resolve),
		WithDueDate(Date(2021, time.June, 11)),
		WithBusiness(Business{
			DocType: BusinessNew,
			Reason:  "Văn bản điện tử mới",
			Staff:   []StaffInfo{{Department: "Văn thư", Staff: "Nguyễn Thị Văn Thư", Email: "vanthu@kiengiang.gov.vn"}},
		}),
	)
	if err != nil {
		t.Fatalf("FromFields(seed): %v", err)
	}
	m.Other.PageAmount = 2
	m.Other.PromulgationAmount = 1
	m.Other.SphereOfPromulgation = "Liên thông văn bản"
	m.Trace = []TraceHeader{{OrganID: seedFrom.ID, Timestamp: time.Date(2021, time.June, 4, 16, 5, 0, 0, vnZone)}}
	return m
}

func seedStatus() *Status {
	return &Status{
		ResponseFor: ResponseFor{
			OrganID:          seedFrom.ID,
			Code:             "570/STTTT-TTBCBC",
			PromulgationDate: Date(2021, time.June, 4),
			DocumentID:       "000.15.33.H33,2021/06/04,570/STTTT-TTBCBC",
		},
		From:        seedTo[0],
		Code:        StatusAccepted,
		Description: "Văn thư đã tiếp nhận & vào sổ văn bản đến",
		Timestamp:   time.Date(2021, time.June, 4, 16, 40, 12, 0, vnZone),
		Staff:       StaffInfo{Department: "Văn thư", Staff: "Trần Văn Nhận", Mobile: "0912000001"},
		Trace:       []TraceHeader{{OrganID: seedTo[0].ID, Timestamp: time.Date(2021, time.June, 4, 16, 40, 12, 0, vnZone)}},
	}
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s (run go test -update to create it): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update after checking the change):\n--- got ---\n%s", path, got)
	}
}
