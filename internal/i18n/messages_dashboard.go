package i18n

// dashboardMessages are the strings of the dashboards, merged into
// Messages.
func dashboardMessages() Catalog {
	return Catalog{
		"nav.dashboard":         {VI: "Số liệu", EN: "Dashboard"},
		"dash.title":            {VI: "Tổng quan số liệu", EN: "Overview"},
		"dash.period":           {VI: "Thời gian", EN: "Period"},
		"dash.period.today":     {VI: "Hôm nay", EN: "Today"},
		"dash.period.week":      {VI: "7 ngày", EN: "7 days"},
		"dash.period.month":     {VI: "30 ngày", EN: "30 days"},
		"dash.period.quarter":   {VI: "90 ngày", EN: "90 days"},
		"dash.period.year":      {VI: "365 ngày", EN: "365 days"},
		"dash.period.custom":    {VI: "Tùy chọn (từ ngày – đến ngày)", EN: "Custom (from – to)"},
		"dash.from":             {VI: "Từ ngày", EN: "From"},
		"dash.to":               {VI: "Đến ngày", EN: "To"},
		"dash.show":             {VI: "Xem", EN: "Show"},
		"dash.period_shown":     {VI: "Số liệu từ %s đến %s.", EN: "Figures from %s to %s."},
		"dash.directives":       {VI: "Văn bản chỉ đạo đã ban hành", EN: "Directives issued"},
		"dash.completion":       {VI: "đơn vị đã báo cáo (%d/%d)", EN: "recipients reported (%d/%d)"},
		"dash.completion_col":   {VI: "Tỷ lệ hoàn thành", EN: "Completion"},
		"dash.reported":         {VI: "Đã báo cáo / nhận", EN: "Reported / recipients"},
		"dash.plays":            {VI: "Lượt phát thanh", EN: "Broadcast plays"},
		"dash.minutes":          {VI: "Số phút phát", EN: "Minutes aired"},
		"dash.online":           {VI: "Cụm loa trực tuyến", EN: "Loudspeakers online"},
		"dash.feedback":         {VI: "Ý kiến người dân đã nhận", EN: "Citizen feedback received"},
		"dash.table":            {VI: "Số liệu theo đơn vị", EN: "Figures by unit"},
		"dash.unit":             {VI: "Đơn vị", EN: "Unit"},
		"dash.own":              {VI: "trực thuộc trực tiếp", EN: "its own"},
		"dash.total":            {VI: "Tổng cộng", EN: "Total"},
		"dash.day":              {VI: "lịch phát", EN: "day"},
		"dash.chart_plays":      {VI: "Lượt phát thanh theo đơn vị", EN: "Broadcast plays by unit"},
		"dash.chart_minutes":    {VI: "Số phút phát theo đơn vị", EN: "Minutes aired by unit"},
		"dash.chart_completion": {VI: "Tỷ lệ đơn vị nhận đã báo cáo (văn bản do đơn vị ban hành)", EN: "Recipients that reported (directives the unit issued)"},
		"dash.chart_online":     {VI: "Tỷ lệ cụm loa đang trực tuyến", EN: "Loudspeakers online"},
		"dash.note":             {VI: "Mỗi lượt phát được tính một lần, tại đơn vị quản lý cụm loa, rồi cộng dồn lên cấp trên. Văn bản được tính tại đơn vị ban hành.", EN: "Each play is counted once, at the unit that owns the loudspeaker, and summed up the tree. Directives count at the issuing unit."},
	}
}
