package i18n

// warningMessages translate the warnings the document parser and the
// edXML importer store with a document (stable English strings kept in
// Fields.Warnings). The web layer maps each stored warning to one of these
// keys; the %s arguments are the dynamic parts it captured.
func warningMessages() Catalog {
	return Catalog{
		// docparse: header and signature zones.
		"warn.no_number":       {VI: "Không tìm thấy số, ký hiệu (không có dòng “Số:”)", EN: `number and notation not found (no "Số:" line)`},
		"warn.no_number_value": {VI: "Dòng “Số:” có ký hiệu nhưng không có số", EN: `the "Số:" line has a notation but no number`},
		"warn.no_date":         {VI: "Không tìm thấy dòng địa danh, ngày tháng ở phần đầu văn bản", EN: "place and date line not found in the header"},
		"warn.no_issuer":       {VI: "Không tìm thấy cơ quan ban hành ở phần đầu văn bản", EN: "issuing body not found in the header"},
		"warn.no_type":         {VI: "Không nhận ra tên loại văn bản", EN: "document type not recognised"},
		"warn.no_subject":      {VI: "Không tìm thấy trích yếu", EN: "subject (trích yếu) not found"},
		"warn.no_signer":       {VI: "Không tìm thấy họ tên người ký", EN: "signer name not found"},
		"warn.title_line":      {VI: "Văn bản thiếu phần đầu; loại, số, ngày và trích yếu được đọc từ dòng tiêu đề", EN: "the letter's header is missing; type, number, date and subject were read from its title line"},
		"warn.date_invalid":    {VI: "Không đọc được ngày: %s không phải ngày hợp lệ", EN: "date not parsed: %s is not a valid date"},
		"warn.too_long":        {VI: "Văn bản dài hơn %s MiB; chỉ phân tích phần đầu", EN: "text longer than %s MiB; only the beginning was parsed"},
		"warn.literal_breaks":  {VI: "Đã khôi phục các dấu xuống dòng bị viết thành chữ \"\\n\"", EN: `line breaks written as the text "\n" were restored`},

		// docparse: encodings.
		"warn.from_tcvn3":   {VI: "Đã chuyển từ bảng mã TCVN3 (ABC) sang Unicode", EN: "converted from TCVN3 (ABC) to Unicode"},
		"warn.from_vni":     {VI: "Đã chuyển từ bảng mã VNI sang Unicode", EN: "converted from VNI to Unicode"},
		"warn.from_1252":    {VI: "Văn bản không phải UTF-8 hay bảng mã tiếng Việt TCVN3/VNI; đã đọc theo Windows-1252", EN: "text is not UTF-8 nor TCVN3/VNI Vietnamese; decoded as Windows-1252"},
		"warn.from_utf16le": {VI: "Đã chuyển từ UTF-16LE sang UTF-8", EN: "converted from UTF-16LE to UTF-8"},
		"warn.from_utf16be": {VI: "Đã chuyển từ UTF-16BE sang UTF-8", EN: "converted from UTF-16BE to UTF-8"},
		"warn.nfd":          {VI: "Đã chuẩn hóa Unicode tổ hợp (NFD) sang Unicode dựng sẵn (NFC)", EN: "normalised decomposed Unicode (NFD) to NFC"},
		"warn.mojibake":     {VI: "Đã sửa văn bản %s bị đọc nhầm theo Windows-1252", EN: "repaired text that was %s decoded as Windows-1252"},
		"warn.pdf_owner":    {VI: "Tệp PDF chỉ đặt mật khẩu chủ sở hữu; đã lấy được chữ", EN: "PDF is encrypted with an owner password only; text extracted"},

		// docparse: OCR.
		"warn.ocr_pages": {VI: "Nhận dạng chữ (OCR): chỉ đọc %s trang đầu trong %s trang quét; cần đối chiếu phần còn lại với bản quét", EN: "OCR: only the first %s of %s scanned pages were read; check the rest against the scan"},
		"warn.ocr_poor":  {VI: "Nhận dạng chữ (OCR): bản quét khó đọc (độ tin cậy trung bình %s %%); cần đối chiếu mọi trường với bản quét hoặc quét lại ở 300 dpi", EN: "OCR: the scan reads poorly (mean confidence %s %%); check every field against the scan or rescan at 300 dpi"},
		"warn.ocr_low":   {VI: "Nhận dạng chữ (OCR): trường “%s” đọc với độ tin cậy thấp (%s %%); cần đối chiếu với bản quét", EN: "OCR: %s read with low confidence (%s %%); check it against the scan"},

		// documents: receiving edXML.
		"warn.edxml":          {VI: "edXML: %s", EN: "edXML: %s"},
		"warn.received_edxml": {VI: "Nhận qua trục liên thông (edXML) từ %s", EN: "received as edXML from %s"},
		"warn.edxml_unheld":   {VI: "Gói edXML %s một văn bản đơn vị không lưu giữ (%s): đã lưu thành văn bản mới", EN: "edXML %s of a document this unit does not hold (%s): stored as a new document"},
		"warn.action.update":  {VI: "cập nhật", EN: "update"},
		"warn.action.replace": {VI: "thay thế", EN: "replace"},
		"warn.action.revoke":  {VI: "thu hồi", EN: "revoke"},

		// edxml: attachments.
		"warn.zip_not_zip":    {VI: "Tệp đính kèm %s ghi là application/zip nhưng không phải tệp nén zip (%s); giữ nguyên", EN: "attachment %s is marked application/zip but is not a zip archive (%s); kept as it is"},
		"warn.zip_too_many":   {VI: "Tệp đính kèm %s chứa %s tệp, quá %s; giữ nguyên dạng nén", EN: "attachment %s holds %s files, more than %s; kept packed"},
		"warn.zip_too_large":  {VI: "%s trong %s lớn hơn giới hạn; không giải nén", EN: "%s in %s is larger than the limit; not unpacked"},
		"warn.zip_open":       {VI: "Không mở được %s trong %s: %s", EN: "%s in %s cannot be opened: %s"},
		"warn.zip_read":       {VI: "Không đọc được %s trong %s trong giới hạn dung lượng", EN: "%s in %s cannot be read within the size limit"},
		"warn.zip_inner":      {VI: "Không đọc được gói %s bên trong %s (%s); giữ thành tệp", EN: "the package %s inside %s cannot be read (%s); kept as a file"},
		"warn.in_file":        {VI: "%s: %s", EN: "%s: %s"},
		"warn.edxml_problem":  {VI: "phần tử %s: %s", EN: "%s: %s"},
		"warn.edxml.ignored":  {VI: "trống, đã bỏ qua", EN: "empty, ignored"},
		"warn.edxml.missing":  {VI: "thiếu", EN: "missing"},
		"warn.edxml.negative": {VI: "không được là số âm", EN: "must not be negative"},

		// edxml: problems with values (Problem.Message).
		"warn.edxml.organ_mismatch":  {VI: "%s bắt đầu bằng mã định danh %s nhưng cơ quan gửi có mã %s", EN: "%s starts with OrganId %s but the agency is %s"},
		"warn.edxml.docid_form":      {VI: "%s không theo dạng “Mã định danh,YYYY/MM/DD,Số/Ký hiệu” (mã của trục hoặc cổng trung gian)", EN: `%s is not of the form "OrganId,YYYY/MM/DD,Số/Ký hiệu" (a hub or gateway id)`},
		"warn.edxml.docid_date":      {VI: "%s: phần ngày %s không theo dạng YYYY/MM/DD", EN: "%s: the date part %s is not YYYY/MM/DD"},
		"warn.edxml.timestamp":       {VI: "%s không viết theo dạng YYYY/MM/DD hh:mm:ss; đã đọc là %s", EN: "%s is not written YYYY/MM/DD hh:mm:ss; read as %s"},
		"warn.edxml.date":            {VI: "%s không phải ngày dạng YYYY/MM/DD (ví dụ 2021/06/04); đã đọc là %s", EN: "%s is not a date in the form YYYY/MM/DD (e.g. 2021/06/04); read as %s"},
		"warn.edxml.not_int":         {VI: "%s không phải số nguyên", EN: "%s is not a whole number"},
		"warn.edxml.not_bool":        {VI: "%s không phải giá trị đúng/sai; dùng true/false hoặc 1/0", EN: "%s is not a boolean; use true/false or 1/0"},
		"warn.edxml.too_long":        {VI: "%s dài quá %s ký tự", EN: "%s is longer than %s characters"},
		"warn.edxml.spaces":          {VI: "%s không được chứa dấu cách hoặc dấu phẩy", EN: "%s must not contain spaces or commas"},
		"warn.edxml.priority":        {VI: "%s không phải độ khẩn; dùng 0 (thường), 1 (khẩn), 2 (thượng khẩn), 3 (hỏa tốc) hoặc 4 (hỏa tốc hẹn giờ)", EN: "%s is not a priority; use 0 (thường), 1 (khẩn), 2 (thượng khẩn), 3 (hỏa tốc) or 4 (hỏa tốc hẹn giờ)"},
		"warn.edxml.steering":        {VI: "%s không phải loại chỉ đạo; dùng 1 (không phải chỉ đạo), 2 (chỉ đạo) hoặc 3 (báo cáo thực hiện chỉ đạo)", EN: "%s is not a steering type; use 1 (not a directive), 2 (directive) or 3 (report on a directive)"},
		"warn.edxml.business":        {VI: "%s không phải loại nghiệp vụ; dùng 0 (mới), 1 (thu hồi), 2 (cập nhật) hoặc 3 (thay thế)", EN: "%s is not a business type; use 0 (new), 1 (recall), 2 (update) or 3 (replace)"},
		"warn.edxml.type_negative":   {VI: "Type và TypeDetail không được là số âm", EN: "Type and TypeDetail must not be negative"},
		"warn.edxml.cid_dup":         {VI: "%s cũng được dùng cho tệp đính kèm %s; mã nội dung (content id) phải khác nhau", EN: "%s is also used by attachment %s; content ids must be unique"},
		"warn.edxml.cid_prefix":      {VI: "%s: ghi mã không kèm tiền tố “cid:”; tiền tố được thêm khi đóng gói", EN: `%s: give the bare id; the "cid:" prefix is added when encoding`},
		"warn.edxml.cid_chars":       {VI: "%s không được chứa dấu cách hoặc các ký tự < > \" &", EN: `%s must not contain spaces or the characters < > " &`},
		"warn.edxml.cid_absent":      {VI: "tệp đính kèm cid:%s (%s) có trong danh mục nhưng thiếu trong AttachmentEncoded", EN: "attachment cid:%s (%s) is referenced in the manifest but missing from AttachmentEncoded"},
		"warn.edxml.cid_twice":       {VI: "cid:%s được liệt kê hai lần trong danh mục", EN: "cid:%s is listed twice in the manifest"},
		"warn.edxml.no_cid":          {VI: "thiếu: tệp đính kèm %s không có mã nội dung (content id) nên không đối chiếu được với danh mục", EN: "missing: attachment %s has no content id, so it cannot be matched to the manifest"},
		"warn.edxml.no_cid_manifest": {VI: "thiếu: mục %s trong danh mục không có mã nội dung (content id)", EN: "missing: the manifest entry %s has no content id"},
		"warn.edxml.identify":        {VI: "cần có Số/Ký hiệu (Code) hoặc DocumentId để xác định văn bản được trả lời", EN: "needs Code (Số/Ký hiệu) or DocumentId to identify the document answered"},

		// edxml: missing required elements.
		"warn.edxml.m.to":         {VI: "thiếu: cần ít nhất một cơ quan nhận", EN: "missing: at least one receiving agency is required"},
		"warn.edxml.m.number":     {VI: "thiếu: cần có số văn bản", EN: "missing: the document number (số) is required"},
		"warn.edxml.m.notation":   {VI: "thiếu: cần có ký hiệu văn bản (ví dụ STTTT-TTBCBC)", EN: "missing: the notation (ký hiệu, e.g. STTTT-TTBCBC) is required"},
		"warn.edxml.m.place":      {VI: "thiếu: cần có địa danh ban hành", EN: "missing: the place of issue is required"},
		"warn.edxml.m.date":       {VI: "thiếu: cần có ngày ban hành", EN: "missing: the date of issue is required"},
		"warn.edxml.m.type":       {VI: "thiếu: cần có tên loại văn bản (ví dụ Công văn)", EN: "missing: the document type name (e.g. Công văn) is required"},
		"warn.edxml.m.subject":    {VI: "thiếu: cần có trích yếu", EN: "missing: the subject (trích yếu) is required"},
		"warn.edxml.m.signer":     {VI: "thiếu: cần có họ tên người ký", EN: "missing: the signer's full name is required"},
		"warn.edxml.m.sender":     {VI: "thiếu: cần có cơ quan gửi", EN: "missing: the sending agency is required"},
		"warn.edxml.m.organ":      {VI: "thiếu: cần có mã định danh (OrganId) của cơ quan", EN: "missing: the agency's OrganId is required"},
		"warn.edxml.m.organ_id":   {VI: "thiếu: cần có mã định danh điện tử của cơ quan (ví dụ 000.00.00.H41)", EN: "missing: the agency's electronic identifier (e.g. 000.00.00.H41) is required"},
		"warn.edxml.m.organ_name": {VI: "thiếu: cần có tên cơ quan", EN: "missing: the agency's name is required"},
		"warn.edxml.m.docid":      {VI: "thiếu: cần có DocumentId dạng “Mã định danh,YYYY/MM/DD,Số/Ký hiệu”", EN: `missing: expected "OrganId,YYYY/MM/DD,Số/Ký hiệu"; build it with MakeDocumentID`},
		"warn.edxml.m.cid":        {VI: "thiếu: mỗi tệp đính kèm cần có mã nội dung (content id)", EN: "missing: every attachment needs a content id"},
		"warn.edxml.m.file_name":  {VI: "thiếu: cần có tên tệp", EN: "missing: the file name is required"},
		"warn.edxml.m.mime":       {VI: "thiếu: cần có kiểu MIME (application/octet-stream nếu không rõ)", EN: "missing: the MIME type is required (application/octet-stream if unknown)"},
	}
}
