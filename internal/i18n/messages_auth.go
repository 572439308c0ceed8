package i18n

// authMessages are the messages of sign-in throttling, API token scopes
// and password changes.
func authMessages() Catalog {
	return Catalog{
		"login.throttled_minutes": {VI: "Đăng nhập sai quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau %d phút.", EN: "Too many failed sign-ins from this address. Try again in %d minutes."},
		"err.token_read_only":     {VI: "Khóa API này chỉ có quyền đọc: muốn thay đổi dữ liệu, hãy dùng khóa có quyền ghi (write).", EN: "This API token is read-only: changing data needs a token with the write scope."},

		"users.current_password":         {VI: "Mật khẩu hiện tại", EN: "Current password"},
		"users.revoke_tokens":            {VI: "Thu hồi luôn mọi khóa API của tài khoản này", EN: "Also revoke every API token of this account"},
		"users.password_sessions_note":   {VI: "Các phiên đăng nhập khác của tài khoản sẽ bị đăng xuất.", EN: "The account's other sessions will be signed out."},
		"users.current_password_missing": {VI: "Hãy nhập mật khẩu hiện tại để đổi mật khẩu.", EN: "Give your current password to change it."},
		"users.current_password_wrong":   {VI: "Mật khẩu hiện tại không đúng.", EN: "The current password is wrong."},
	}
}
