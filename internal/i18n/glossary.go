package i18n

import (
	"fmt"
	"strings"
)

// The glossary is the one place that holds the Vietnamese terms Loa's
// pages use for official paperwork (văn thư, Decree 30/2020/NĐ-CP) and
// for grassroots broadcasting (Circular 39/2020/TT-BTTTT), and the names
// shown for the audit log's action codes and the system's own actors.
// Pages use these terms through the catalogue (keys "term.*",
// "audit.act.*", "audit.obj.*", "actor.*"); TestGlossary checks that the
// catalogue keeps them and that no page text contradicts them.

// Term is one glossary entry: the Vietnamese term, its English
// equivalent, and the source that defines it.
type Term struct {
	Key, VI, EN, Source string
}

// Glossary lists the domain terms.
func Glossary() []Term {
	const nd30, tt39 = "Nghị định 30/2020/NĐ-CP", "Thông tư 39/2020/TT-BTTTT"
	return []Term{
		{"term.incoming", "Văn bản đến", "Incoming document", nd30},
		{"term.outgoing", "Văn bản đi", "Outgoing document", nd30},
		{"term.draft", "Dự thảo", "Draft", nd30},
		{"term.register_in", "Sổ đăng ký văn bản đến", "Incoming register", nd30},
		{"term.register_out", "Sổ đăng ký văn bản đi", "Outgoing register", nd30},
		{"term.number_notation", "Số, ký hiệu", "Number and notation", nd30},
		{"term.place_date", "Địa danh và thời gian ban hành", "Place and date of issue", nd30},
		{"term.subject", "Trích yếu nội dung", "Subject", nd30},
		{"term.recipients", "Nơi nhận", "Recipients", nd30},
		{"term.authority", "Thẩm quyền ký", "Signing authority", nd30},
		{"term.signer_title", "Chức vụ người ký", "Signer's title", nd30},
		{"term.issuer", "Tên cơ quan, tổ chức ban hành", "Issuing agency", nd30},
		{"term.instruction", "Ý kiến chỉ đạo (bút phê)", "Instruction (annotation)", nd30},
		{"term.handling", "Giải quyết văn bản đến", "Handling of incoming documents", nd30},
		{"term.deadline", "Thời hạn giải quyết", "Deadline", nd30},
		{"term.overdue", "Quá hạn", "Overdue", nd30},
		{"term.late", "Xử lý trễ hạn", "Handled late", nd30},
		{"term.issue", "Phát hành", "Issue", nd30},
		{"term.approve", "Duyệt", "Approve", nd30},
		{"term.station", "Đài truyền thanh cấp xã", "Commune radio station", tt39},
		{"term.loudspeaker", "Cụm loa", "Loudspeaker cluster", tt39},
		{"term.bulletin", "Bản tin", "Bulletin", tt39},
		{"term.schedule", "Lịch phát", "Broadcast schedule", tt39},
		{"term.order", "Lệnh phát", "Broadcast order", tt39},
		{"term.emergency", "Phát khẩn cấp", "Emergency broadcast", tt39},
		{"term.loudness", "Độ lớn âm thanh", "Loudness", tt39},
		{"term.push", "Nhận lệnh tức thì", "Instant commands", tt39},
		{"term.device_key", "Mã đăng ký thiết bị", "Device enrolment key", tt39},
	}
}

// auditActions names the audit log's action codes.
var auditActions = map[string][2]string{
	"login":                          {"Đăng nhập", "Signed in"},
	"logout":                         {"Đăng xuất", "Signed out"},
	"user.create":                    {"Tạo người dùng", "Created a user"},
	"user.update":                    {"Sửa người dùng", "Changed a user"},
	"user.password":                  {"Đổi mật khẩu", "Changed a password"},
	"user.password.failed":           {"Đổi mật khẩu không thành công", "Password change failed"},
	"unit.create":                    {"Tạo đơn vị", "Created a unit"},
	"unit.update":                    {"Sửa đơn vị", "Changed a unit"},
	"unit.merge":                     {"Sáp nhập đơn vị", "Merged units"},
	"group.create":                   {"Tạo nhóm nơi nhận", "Created a recipient group"},
	"group.delete":                   {"Xóa nhóm nơi nhận", "Deleted a recipient group"},
	"token.create":                   {"Tạo khóa API", "Created an API token"},
	"token.revoke":                   {"Thu hồi khóa API", "Revoked an API token"},
	"device.enrol":                   {"Đăng ký cụm loa", "Enrolled a loudspeaker"},
	"device.rename":                  {"Đổi tên cụm loa", "Renamed a loudspeaker"},
	"device.revoke":                  {"Thu hồi cụm loa", "Revoked a loudspeaker"},
	"device.command":                 {"Gửi lệnh tới cụm loa", "Sent a command to a loudspeaker"},
	"enrolment_key.create":           {"Tạo mã đăng ký thiết bị", "Created a device enrolment key"},
	"media.create":                   {"Thêm bản tin âm thanh", "Added audio"},
	"broadcast.order.create":         {"Tạo lệnh phát", "Created a broadcast order"},
	"broadcast.order.cancel":         {"Hủy lệnh phát", "Cancelled a broadcast order"},
	"broadcast.order.version":        {"Thêm bản ngôn ngữ cho lệnh phát", "Added a language version to a broadcast order"},
	"broadcast.order.version_remove": {"Bỏ bản ngôn ngữ của lệnh phát", "Removed a language version of a broadcast order"},
	"broadcast.settings":             {"Đổi cài đặt phát thanh", "Changed broadcast settings"},
	"broadcast.autoschedule.retry":   {"Thử lại lên lịch tự động", "Retried automatic scheduling"},
	"directive.create":               {"Tạo dự thảo", "Created a draft"},
	"directive.save":                 {"Lưu dự thảo", "Saved a draft"},
	"directive.submit":               {"Trình duyệt", "Submitted for approval"},
	"directive.approve":              {"Duyệt văn bản", "Approved"},
	"directive.return":               {"Trả lại dự thảo", "Returned a draft"},
	"directive.issue":                {"Phát hành văn bản", "Issued"},
	"directive.settings":             {"Đổi cài đặt văn bản", "Changed document settings"},
	"delivery.delivered":             {"Văn bản đã đến", "Delivered"},
	"delivery.read":                  {"Đã xem văn bản đến", "Read"},
	"delivery.acknowledged":          {"Xác nhận đã nhận", "Acknowledged"},
	"delivery.assigned":              {"Giao xử lý", "Assigned"},
	"delivery.forwarded":             {"Triển khai xuống cấp dưới", "Forwarded"},
	"delivery.reported":              {"Báo cáo kết quả", "Reported"},
	"delivery.declined":              {"Từ chối nhận", "Declined"},
	"delivery.closed":                {"Kết thúc xử lý", "Closed"},
	"delivery.reminder":              {"Nhắc hạn xử lý", "Reminder sent"},
	"delivery.escalated":             {"Báo cáo cấp trên việc quá hạn", "Escalated"},
	"document.import":                {"Nhập văn bản", "Imported a document"},
	"document.correct":               {"Sửa thông tin văn bản", "Corrected a document"},
	"register.issue":                 {"Vào sổ văn bản đi", "Registered outgoing"},
	"register.receive":               {"Vào sổ văn bản đến", "Registered incoming"},
	"register.counter":               {"Đặt lại số văn bản", "Set the register counter"},
	"register.settings":              {"Đổi cài đặt sổ văn bản", "Changed register settings"},
}

// auditObjects names the kinds of object the audit log speaks of.
var auditObjects = map[string][2]string{
	"user": {"Người dùng", "User"}, "unit": {"Đơn vị", "Unit"}, "group": {"Nhóm nơi nhận", "Recipient group"},
	"token": {"Khóa API", "API token"}, "device": {"Cụm loa", "Loudspeaker"}, "enrolment_key": {"Mã đăng ký thiết bị", "Enrolment key"},
	"media": {"Âm thanh", "Audio"}, "broadcast_order": {"Lệnh phát", "Broadcast order"}, "directive": {"Văn bản đi", "Outgoing document"},
	"delivery": {"Văn bản đến", "Incoming document"}, "document": {"Văn bản", "Document"}, "register_entry": {"Sổ văn bản", "Register"},
	"broadcast_settings": {"Cài đặt phát thanh", "Broadcast settings"},
}

// systemActors names the parts of Loa that act on their own
// ("system:auto-schedule" in the audit log).
var systemActors = map[string][2]string{
	"auto-schedule":         {"Hệ thống (lên lịch phát tự động)", "System (automatic scheduling)"},
	"channels-inbound":      {"Hệ thống (tin nhắn đến)", "System (incoming messages)"},
	"channels-worker":       {"Hệ thống (gửi tin nhắn)", "System (message sending)"},
	"cli":                   {"Hệ thống (dòng lệnh)", "System (command line)"},
	"demo":                  {"Hệ thống (dữ liệu mẫu)", "System (demo data)"},
	"device":                {"Thiết bị", "Device"},
	"directives auto-issue": {"Hệ thống (tự phát hành)", "System (automatic issue)"},
	"directives delivery":   {"Hệ thống (chuyển văn bản)", "System (delivery)"},
	"directives tree":       {"Hệ thống", "System"},
	"directives":            {"Hệ thống (văn bản)", "System (documents)"},
	"export":                {"Hệ thống (xuất dữ liệu)", "System (export)"},
	"import":                {"Hệ thống (nhập dữ liệu)", "System (import)"},
}

func pick(m map[string][2]string, lang, key, fallbackVI, fallbackEN string) string {
	if v, ok := m[key]; ok {
		if lang == EN {
			return v[1]
		}
		return v[0]
	}
	if lang == EN {
		return fallbackEN
	}
	return fallbackVI
}

// AuditAction names an audit action code in lang; an unknown code reads
// "Thao tác khác" (the code stays in the CSV export and the API).
func AuditAction(lang, code string) string {
	return pick(auditActions, lang, code, "Thao tác khác", "Other action")
}

// AuditObject names an audit object type in lang.
func AuditObject(lang, kind string) string {
	return pick(auditObjects, lang, kind, "Đối tượng khác", "Other object")
}

// ActorName names the author of an action: a user's name as given, or
// a system part ("system:auto-schedule") in words.
func ActorName(lang, username string) string {
	rest, ok := strings.CutPrefix(username, "system:")
	if !ok {
		return username
	}
	return pick(systemActors, lang, rest, "Hệ thống", "System")
}

// KnownAuditActions lists the action codes the glossary names (tests
// check that every code the services write is among them).
func KnownAuditActions() []string {
	out := make([]string, 0, len(auditActions))
	for k := range auditActions {
		out = append(out, k)
	}
	return out
}

// glossaryMessages puts the glossary's terms in the catalogue.
func glossaryMessages() Catalog {
	c := Catalog{}
	for _, t := range Glossary() {
		c[t.Key] = map[string]string{VI: t.VI, EN: t.EN}
	}
	return c
}

// fieldNames names the fields of forms and imports that validation
// errors point at (their JSON or CSV names).
var fieldNames = map[string][2]string{
	"abbreviation": {"Tên viết tắt", "Abbreviation"}, "active": {"Đang hoạt động", "Active"}, "active_from": {"Hoạt động từ ngày", "Active from"},
	"agency_id": {"Cơ quan", "Agency"}, "approval_steps": {"Các bước duyệt", "Approval steps"}, "assignee": {"Người được giao", "Assignee"},
	"at": {"Giờ phát", "Time"}, "attachments": {"Tệp đính kèm", "Attachments"}, "base_version": {"Phiên bản", "Version"},
	"box": {"Hộp văn bản", "Box"}, "channel": {"Kênh gửi tin", "Channel"}, "code": {"Mã", "Code"}, "comment": {"Ý kiến", "Comment"},
	"confidentiality": {"Độ mật", "Confidentiality"}, "content": {"Nội dung", "Content"}, "current_password": {"Mật khẩu hiện tại", "Current password"},
	"date": {"Ngày", "Date"}, "delivery": {"Văn bản đến", "Incoming document"}, "doc_type": {"Loại văn bản", "Document type"},
	"document": {"Văn bản", "Document"}, "dissolved_on": {"Ngày giải thể", "Dissolved on"}, "distribution": {"Nơi nhận", "Distribution"},
	"due_date": {"Thời hạn", "Deadline"}, "deadline": {"Thời hạn giải quyết", "Deadline"}, "email": {"Thư điện tử", "E-mail"},
	"every": {"Lặp lại sau", "Every"}, "expires": {"Hết hạn", "Expires"}, "expires_at": {"Hết hạn", "Expires"}, "file": {"Tệp", "File"},
	"filename": {"Tên tệp", "File name"}, "files": {"Tệp", "Files"}, "format": {"Định dạng", "Format"}, "from": {"Từ", "From"},
	"id": {"Mã số", "Id"}, "intro": {"Phần mở đầu", "Introduction"}, "item_no": {"Mục", "Item"}, "items": {"Các mục nội dung", "Content items"},
	"kind": {"Loại đơn vị", "Unit kind"}, "last": {"Số cuối", "Last number"}, "limit": {"Số dòng", "Limit"}, "media_id": {"Âm thanh", "Audio"},
	"media": {"Âm thanh", "Audio"}, "name": {"Tên", "Name"}, "name_vi": {"Tên", "Name"}, "note": {"Ghi chú", "Note"},
	"parent_id": {"Đơn vị cấp trên", "Parent unit"}, "parent_code": {"Đơn vị cấp trên", "Parent unit"}, "password": {"Mật khẩu", "Password"},
	"phone": {"Số điện thoại", "Phone"}, "purpose": {"Hình thức nhận", "Purpose"}, "q": {"Từ khóa tìm kiếm", "Search"},
	"reason": {"Lý do", "Reason"}, "recipients": {"Nơi nhận", "Recipients"}, "references": {"Căn cứ", "References"},
	"repeats": {"Số lần phát", "Repeats"}, "roles": {"Vai trò", "Roles"}, "short_name": {"Tên ngắn", "Short name"},
	"signer_user_id": {"Người ký", "Signer"}, "signer": {"Người ký", "Signer"}, "signer_title": {"Chức vụ người ký", "Signer's title"},
	"place": {"Địa danh", "Place"}, "status": {"Trạng thái", "Status"}, "subject": {"Trích yếu", "Subject"}, "target": {"Nơi phát", "Target"},
	"text": {"Nội dung", "Text"}, "title": {"Tiêu đề", "Title"}, "to": {"Nơi nhận", "Recipients"}, "unit": {"Đơn vị", "Unit"},
	"unit_id": {"Đơn vị", "Unit"}, "unit_ids": {"Đơn vị", "Units"}, "urgency": {"Độ khẩn", "Urgency"}, "user_id": {"Người dùng", "User"},
	"username": {"Tên đăng nhập", "Username"}, "version": {"Phiên bản", "Version"}, "voice": {"Giọng đọc", "Voice"},
	"volume": {"Âm lượng", "Volume"}, "year": {"Năm", "Year"}, "lang": {"Ngôn ngữ", "Language"}, "scopes": {"Quyền của khóa", "Scopes"},
	"start_date": {"Ngày bắt đầu", "Start date"}, "end_date": {"Ngày kết thúc", "End date"}, "slots": {"Giờ phát", "Times"},
	"level": {"Mức ưu tiên", "Level"}, "targets": {"Nơi phát", "Targets"}, "header": {"Dòng tiêu đề", "Header"},
}

// FieldName names a form or import field in lang ("subject" → "Trích
// yếu"); a nested name ("items[2].title") is named by its first part. ok
// is false for a field the glossary does not know.
func FieldName(lang, field string) (string, bool) {
	if i := strings.IndexAny(field, "[."); i >= 0 {
		field = field[:i]
	}
	v, ok := fieldNames[field]
	if !ok {
		return "", false
	}
	if lang == EN {
		return v[1], true
	}
	return v[0], true
}

// Fallback says an error the catalogue does not explain in lang, from its
// kind alone ("invalid", "not_found", "forbidden", "conflict",
// "too_large", "throttled", "unauthorized"), the field and the line of
// an import: a Vietnamese page never shows a service's English text.
func Fallback(lang, kind, field string, line int) string {
	if lang == EN {
		return ""
	}
	switch kind {
	case "invalid":
		var msg string
		if name, ok := FieldName(lang, field); ok {
			msg = "Thông tin ở ô “" + name + "” chưa hợp lệ hoặc còn thiếu. Hãy kiểm tra lại ô này rồi thử lại."
		} else {
			msg = "Thông tin nhập vào chưa hợp lệ. Hãy kiểm tra lại các ô đã nhập rồi thử lại."
		}
		if line > 0 {
			msg = fmt.Sprintf("Dòng %d: %s", line, msg)
		}
		return msg
	case "not_found":
		return "Không tìm thấy trang hoặc dữ liệu này: có thể đường dẫn đã sai hoặc dữ liệu đã bị xóa. Hãy quay lại trang chủ."
	case "forbidden":
		return "Bạn không có quyền thực hiện việc này. Nếu cần, hãy đề nghị quản trị viên của đơn vị cấp quyền."
	case "conflict":
		return "Dữ liệu đã có hoặc vừa được người khác thay đổi. Hãy tải lại trang rồi thử lại."
	case "too_large":
		return "Tệp hoặc nội dung gửi lên quá lớn. Hãy chọn tệp nhỏ hơn."
	case "throttled":
		return "Bạn đã thử quá nhiều lần. Hãy đợi một lát rồi thử lại."
	case "unauthorized":
		return "Phiên làm việc đã hết. Hãy đăng nhập lại."
	}
	return "Đã xảy ra lỗi. Hãy thử lại; nếu vẫn lỗi, hãy báo quản trị viên."
}

// LooksVietnamese reports whether a text is written in Vietnamese (it
// has letters with Vietnamese diacritics): some services already word
// their messages for people in Vietnamese.
func LooksVietnamese(s string) bool {
	for _, r := range s {
		if (r >= 0x00C0 && r <= 0x01B0) || (r >= 0x1EA0 && r <= 0x1EF9) {
			return true
		}
	}
	return false
}
