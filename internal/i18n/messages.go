package i18n

// Messages returns Loa's message catalog: Vietnamese first, English second.
// A new visible string gets a key here; the web tests fail when a template
// uses a key that is missing or lacks a language.
func Messages() Catalog {
	c := base()
	for _, part := range []Catalog{documentMessages(), broadcastMessages(), broadcastErrorMessages(), directiveMessages(), authMessages(), archiveMessages(), searchMessages(), dashboardMessages(), reportMessages(), feedbackMessages(), speechMessages(), workMessages(), trailMessages(), liveMessages(), limitsMessages(), glossaryMessages(), warningMessages()} {
		for k, v := range part {
			c[k] = v
		}
	}
	return c
}

func base() Catalog {
	return Catalog{
		"app.tagline": {VI: "Hệ thống thông tin nguồn", EN: "Information source system"},
		"app.footer":  {VI: "Phần mềm nguồn mở cho thông tin cơ sở", EN: "Open-source software for grassroots information"},

		"nav.home":   {VI: "Trang chủ", EN: "Home"},
		"nav.org":    {VI: "Tổ chức", EN: "Organisations"},
		"nav.users":  {VI: "Người dùng", EN: "Users"},
		"nav.tokens": {VI: "Khóa API", EN: "API tokens"},
		"nav.audit":  {VI: "Nhật ký", EN: "Audit log"},
		"nav.logout": {VI: "Đăng xuất", EN: "Sign out"},

		"login.title":     {VI: "Đăng nhập", EN: "Sign in"},
		"login.username":  {VI: "Tên đăng nhập", EN: "Username"},
		"login.password":  {VI: "Mật khẩu", EN: "Password"},
		"login.submit":    {VI: "Đăng nhập", EN: "Sign in"},
		"login.failed":    {VI: "Sai tên đăng nhập hoặc mật khẩu.", EN: "Wrong username or password."},
		"login.throttled": {VI: "Đăng nhập sai quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau %d giây.", EN: "Too many failed sign-ins from this address. Try again in %d seconds."},

		"home.title":            {VI: "Trang chủ", EN: "Home"},
		"home.welcome":          {VI: "Xin chào, %s", EN: "Welcome, %s"},
		"home.unit":             {VI: "Đơn vị", EN: "Unit"},
		"home.roles":            {VI: "Vai trò", EN: "Roles"},
		"home.tasks":            {VI: "Công việc", EN: "Tasks"},
		"home.recent":           {VI: "Hoạt động gần đây", EN: "Recent activity"},
		"home.card.units_below": {VI: "Đơn vị trực thuộc", EN: "Units below yours"},
		"home.card.users":       {VI: "Người dùng bạn quản lý", EN: "Users you can see"},

		"task.org":            {VI: "Quản lý cơ cấu tổ chức", EN: "Manage the organisation tree"},
		"task.org.hint":       {VI: "thêm, đổi tên, di chuyển, sáp nhập đơn vị; nhập/xuất CSV", EN: "add, rename, move, merge units; CSV import/export"},
		"task.users":          {VI: "Quản lý người dùng", EN: "Manage users"},
		"task.users.hint":     {VI: "tài khoản, vai trò, đơn vị", EN: "accounts, roles, units"},
		"task.audit":          {VI: "Xem nhật ký hệ thống", EN: "Read the audit log"},
		"task.audit.hint":     {VI: "ai làm gì, khi nào, từ đâu", EN: "who did what, when, from where"},
		"task.directory":      {VI: "Danh bạ cơ quan, đơn vị", EN: "Directory of agencies"},
		"task.directory.hint": {VI: "nơi gửi, nơi nhận văn bản", EN: "senders and recipients of documents"},
		"task.commune":        {VI: "Đài truyền thanh và cụm loa", EN: "Commune radio and loudspeakers"},
		"task.commune.hint":   {VI: "đơn vị và thiết bị của xã", EN: "your commune's units and devices"},
		"task.tokens":         {VI: "Khóa API", EN: "API tokens"},
		"task.tokens.hint":    {VI: "cho phần mềm kết nối với Loa", EN: "for software that talks to Loa"},

		"role.admin":       {VI: "Quản trị", EN: "Administrator"},
		"role.clerk":       {VI: "Văn thư", EN: "Clerk"},
		"role.drafter":     {VI: "Chuyên viên soạn thảo", EN: "Drafter"},
		"role.approver":    {VI: "Lãnh đạo duyệt, ký", EN: "Approver / signer"},
		"role.receiver":    {VI: "Tiếp nhận, xử lý", EN: "Receiver"},
		"role.broadcaster": {VI: "Phát thanh viên", EN: "Broadcaster"},
		"role.viewer":      {VI: "Xem", EN: "Viewer"},

		"org.title":         {VI: "Cơ cấu tổ chức", EN: "Organisation tree"},
		"org.filter":        {VI: "Lọc theo tên…", EN: "Filter by name…"},
		"org.add":           {VI: "Thêm đơn vị", EN: "Add unit"},
		"org.export_csv":    {VI: "Xuất CSV", EN: "Export CSV"},
		"org.export_json":   {VI: "Xuất JSON", EN: "Export JSON"},
		"org.import":        {VI: "Nhập cơ cấu tổ chức", EN: "Import organisations"},
		"org.import_hint":   {VI: "Tệp CSV (cột: code, parent_code, name, short_name, kind, abbreviation, agency_id, active_from, dissolved_on) hoặc JSON. Một dòng sai thì cả tệp bị từ chối.", EN: "A CSV file (columns: code, parent_code, name, short_name, kind, abbreviation, agency_id, active_from, dissolved_on) or JSON. One bad row rejects the whole file."},
		"org.import_submit": {VI: "Nhập", EN: "Import"},
		"org.dissolved":     {VI: "giải thể", EN: "dissolved"},

		"unit.name":         {VI: "Tên đơn vị", EN: "Name"},
		"unit.short_name":   {VI: "Tên viết tắt", EN: "Short name"},
		"unit.code":         {VI: "Mã", EN: "Code"},
		"unit.kind":         {VI: "Loại đơn vị", EN: "Kind"},
		"unit.parent":       {VI: "Đơn vị cấp trên", EN: "Parent unit"},
		"unit.abbreviation": {VI: "Chữ viết tắt trong ký hiệu", EN: "Abbreviation in notations"},
		"unit.agency_id":    {VI: "Mã định danh cơ quan", EN: "Agency identifier"},
		"unit.active_from":  {VI: "Hoạt động từ ngày", EN: "Active from"},
		"unit.dissolved_on": {VI: "Giải thể ngày", EN: "Dissolved on"},
		"unit.merged_into":  {VI: "Sáp nhập vào", EN: "Merged into"},
		"unit.merge":        {VI: "Sáp nhập đơn vị", EN: "Merge unit"},
		"unit.merge_hint":   {VI: "Đơn vị này giải thể từ ngày đã chọn; các đơn vị trực thuộc chuyển sang đơn vị mới. Văn bản cũ vẫn giữ tên đơn vị như trước.", EN: "This unit is dissolved on the chosen day; its sub-units move to the new unit. Earlier documents keep the unit as it was."},
		"unit.merge_into":   {VI: "Sáp nhập vào đơn vị", EN: "Merge into"},
		"unit.merge_date":   {VI: "Từ ngày", EN: "On"},
		"unit.history":      {VI: "Lịch sử thay đổi", EN: "History"},
		"unit.change":       {VI: "Thay đổi", EN: "Change"},
		"unit.before":       {VI: "Trước", EN: "Before"},
		"unit.after":        {VI: "Sau", EN: "After"},

		"change.create": {VI: "Tạo mới", EN: "Created"},
		"change.update": {VI: "Cập nhật", EN: "Updated"},
		"change.rename": {VI: "Đổi tên", EN: "Renamed"},
		"change.move":   {VI: "Chuyển đơn vị cấp trên", EN: "Moved"},
		"change.merge":  {VI: "Sáp nhập", EN: "Merged"},

		"users.title":        {VI: "Người dùng", EN: "Users"},
		"users.username":     {VI: "Tên đăng nhập", EN: "Username"},
		"users.full_name":    {VI: "Họ và tên", EN: "Full name"},
		"users.title_col":    {VI: "Chức vụ", EN: "Job title"},
		"users.email":        {VI: "Thư điện tử", EN: "E-mail"},
		"users.unit":         {VI: "Đơn vị", EN: "Unit"},
		"users.roles":        {VI: "Vai trò", EN: "Roles"},
		"users.active":       {VI: "Đang hoạt động", EN: "Active"},
		"users.last_login":   {VI: "Đăng nhập lần cuối", EN: "Last sign-in"},
		"users.lang":         {VI: "Ngôn ngữ", EN: "Language"},
		"users.add":          {VI: "Thêm người dùng", EN: "Add user"},
		"users.set_password": {VI: "Đặt mật khẩu", EN: "Set password"},
		"users.new_password": {VI: "Mật khẩu mới (ít nhất 8 ký tự)", EN: "New password (at least 8 characters)"},

		"tokens.title":     {VI: "Khóa API", EN: "API tokens"},
		"tokens.hint":      {VI: "Phần mềm khác dùng khóa API để gọi /api/v1 với tiêu đề Authorization: Bearer <khóa>.", EN: "Other software uses an API token to call /api/v1 with the header Authorization: Bearer <token>."},
		"tokens.copy_now":  {VI: "Sao chép khóa này ngay: nó chỉ hiện một lần.", EN: "Copy this token now: it is shown only once."},
		"tokens.name":      {VI: "Tên", EN: "Name"},
		"tokens.prefix":    {VI: "Bắt đầu bằng", EN: "Starts with"},
		"tokens.scopes":    {VI: "Quyền", EN: "Scopes"},
		"tokens.created":   {VI: "Tạo lúc", EN: "Created"},
		"tokens.expires":   {VI: "Hết hạn", EN: "Expires"},
		"tokens.last_used": {VI: "Dùng lần cuối", EN: "Last used"},
		"tokens.revoke":    {VI: "Thu hồi", EN: "Revoke"},
		"tokens.revoked":   {VI: "Đã thu hồi", EN: "Revoked"},
		"tokens.create":    {VI: "Tạo khóa mới", EN: "Create a token"},

		"audit.title":  {VI: "Nhật ký hệ thống", EN: "Audit log"},
		"audit.time":   {VI: "Thời gian", EN: "Time"},
		"audit.user":   {VI: "Người thực hiện", EN: "User"},
		"audit.action": {VI: "Hành động", EN: "Action"},
		"audit.object": {VI: "Đối tượng", EN: "Object"},
		"audit.detail": {VI: "Chi tiết", EN: "Detail"},
		"audit.client": {VI: "Địa chỉ", EN: "Client address"},
		"audit.since":  {VI: "Từ ngày", EN: "Since"},
		"audit.until":  {VI: "Đến ngày", EN: "Until"},
		"audit.export": {VI: "Xuất CSV", EN: "Export CSV"},
		"audit.older":  {VI: "Cũ hơn", EN: "Older"},

		"form.save":   {VI: "Lưu", EN: "Save"},
		"form.create": {VI: "Tạo", EN: "Create"},
		"form.filter": {VI: "Lọc", EN: "Filter"},

		"flash.saved":    {VI: "Đã lưu.", EN: "Saved."},
		"flash.merged":   {VI: "Đã sáp nhập đơn vị.", EN: "Unit merged."},
		"flash.imported": {VI: "Đã nhập cơ cấu tổ chức.", EN: "Organisations imported."},
		"flash.password": {VI: "Đã đặt mật khẩu mới.", EN: "Password set."},
		"flash.revoked":  {VI: "Đã thu hồi khóa.", EN: "Token revoked."},

		"error.title": {VI: "Lỗi", EN: "Error"},
		"error.back":  {VI: "Quay lại", EN: "Back"},
		"error.400":   {VI: "Dữ liệu không hợp lệ", EN: "Invalid input"},
		"error.401":   {VI: "Cần đăng nhập", EN: "Sign-in required"},
		"error.403":   {VI: "Không có quyền", EN: "Not allowed"},
		"error.404":   {VI: "Không tìm thấy", EN: "Not found"},
		"error.409":   {VI: "Xung đột dữ liệu", EN: "Conflict"},
		"error.413":   {VI: "Tệp hoặc dữ liệu quá lớn", EN: "Too large"},
		"error.429":   {VI: "Quá nhiều yêu cầu", EN: "Too many requests"},
		"error.500":   {VI: "Lỗi hệ thống", EN: "Internal error"},
		"error.499":   {VI: "Yêu cầu đã bị hủy", EN: "Request abandoned"},
		"error.503":   {VI: "Máy chủ đang bận, vui lòng thử lại sau ít giây", EN: "Server busy, try again in a few seconds"},
		"upload.busy": {VI: "Bạn đang tải lên quá nhiều tệp cùng lúc (tối đa %d). Vui lòng đợi các tệp đang tải xong rồi thử lại.", EN: "You are uploading too many files at once (at most %d). Wait for the uploads in progress to finish, then try again."},
	}
}
