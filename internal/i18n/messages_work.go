package i18n

// workMessages are the strings of the role home pages ("Việc cần làm"),
// the folding menu and the phone layout.
func workMessages() Catalog {
	return Catalog{
		"nav.menu": {VI: "Danh mục", EN: "Menu"},

		"work.title":             {VI: "Việc cần làm", EN: "To do"},
		"work.none":              {VI: "Không có việc nào đang chờ bạn.", EN: "Nothing waits for you."},
		"work.awaiting_approval": {VI: "Chờ duyệt", EN: "Awaiting approval"},
		"work.awaiting_issue":    {VI: "Chờ phát hành", EN: "Awaiting issue"},
		"work.my_drafts":         {VI: "Dự thảo của tôi", EN: "My drafts"},
		"work.returned":          {VI: "Bị trả lại", EN: "Returned"},
		"work.new_incoming":      {VI: "Văn bản đến mới", EN: "New incoming"},
		"work.assigned":          {VI: "Được giao xử lý", EN: "Assigned to me"},
		"work.overdue":           {VI: "Quá hạn xử lý", EN: "Overdue"},
		"work.unread":            {VI: "Thông báo chưa đọc", EN: "Unread notifications"},
		"work.action.approve":    {VI: "Xem và duyệt", EN: "Review and approve"},
		"work.action.issue":      {VI: "Phát hành", EN: "Issue"},
		"work.action.edit":       {VI: "Tiếp tục soạn", EN: "Continue drafting"},
		"work.action.read":       {VI: "Xem và xử lý", EN: "Read and handle"},
		"work.due":               {VI: "Hạn xử lý: %s", EN: "Due %s"},
		"work.overdue_since":     {VI: "Quá hạn từ %s", EN: "Overdue since %s"},
		"work.received":          {VI: "Nhận lúc %s", EN: "Received %s"},
		"work.from":              {VI: "Từ: %s", EN: "From: %s"},
		"work.more":              {VI: "Xem tất cả (%d)", EN: "See all (%d)"},
		"work.new_draft":         {VI: "Soạn văn bản mới", EN: "New draft"},
		"work.admin":             {VI: "Quản trị", EN: "Administration"},

		"station.title":            {VI: "Lịch phát hôm nay", EN: "Today's broadcasts"},
		"station.none_today":       {VI: "Hôm nay chưa có bản tin nào được lên lịch.", EN: "Nothing is scheduled today."},
		"station.to_schedule":      {VI: "Chờ lên lịch phát", EN: "Waiting to be scheduled"},
		"station.to_schedule.none": {VI: "Không có văn bản nào chờ lên lịch.", EN: "No document waits to be scheduled."},
		"station.offline":          {VI: "Cụm loa mất kết nối", EN: "Loudspeakers offline"},
		"station.offline.none":     {VI: "Tất cả cụm loa đang trực tuyến.", EN: "All loudspeakers are online."},
		"station.schedule_btn":     {VI: "Lên lịch phát", EN: "Schedule"},
		"station.day_link":         {VI: "Xem lịch phát trong ngày", EN: "Open the day's schedule"},
		"station.devices_link":     {VI: "Xem thiết bị", EN: "Open the devices"},
		"station.orders_link":      {VI: "Mở trang lệnh phát", EN: "Open the broadcast orders"},
		"station.items":            {VI: "%d mục cần phát", EN: "%d items to broadcast"},
		"station.col.time":         {VI: "Giờ phát", EN: "Time"},
		"station.col.title":        {VI: "Bản tin", EN: "Bulletin"},
		"station.col.device":       {VI: "Cụm loa", EN: "Loudspeaker"},
		"station.col.state":        {VI: "Tình trạng", EN: "State"},
		"station.never":            {VI: "chưa kết nối lần nào", EN: "never connected"},
		"station.last_seen":        {VI: "kết nối lần cuối %s", EN: "last seen %s"},
	}
}
