package i18n

// trailMessages are the strings of the handling trail (luân chuyển, bút
// phê) of incoming documents and deliveries, and of the duplicate
// registration warning.
func trailMessages() Catalog {
	return Catalog{
		"trail.title":            {VI: "Quá trình xử lý (luân chuyển, bút phê)", EN: "Handling trail"},
		"trail.none":             {VI: "Chưa có bước xử lý nào.", EN: "No handling steps yet."},
		"trail.holder":           {VI: "Người đang xử lý", EN: "Current assignee"},
		"trail.holder_none":      {VI: "Chưa giao cho ai xử lý.", EN: "Not assigned to anyone yet."},
		"trail.deadline":         {VI: "Hạn xử lý", EN: "Deadline"},
		"trail.instruction":      {VI: "Ý kiến chỉ đạo (bút phê)", EN: "Instruction"},
		"trail.to":               {VI: "Chuyển cho", EN: "Passed to"},
		"trail.state":            {VI: "Trạng thái", EN: "State"},
		"trail.act.received":     {VI: "Nhận văn bản", EN: "Received"},
		"trail.act.registered":   {VI: "Vào sổ văn bản đến, số đến %s", EN: "Entered in the incoming register, arrival number %s"},
		"trail.act.assigned":     {VI: "Chuyển xử lý", EN: "Passed on for handling"},
		"trail.act.read":         {VI: "Mở xem", EN: "Opened"},
		"trail.act.acknowledged": {VI: "Xác nhận đã nhận", EN: "Receipt confirmed"},
		"trail.act.forwarded":    {VI: "Dự thảo văn bản triển khai cho cấp dưới", EN: "Implementing document drafted for lower units"},
		"trail.act.reported":     {VI: "Gửi báo cáo thực hiện", EN: "Execution report sent"},
		"trail.act.declined":     {VI: "Từ chối văn bản", EN: "Declined"},
		"trail.act.closed":       {VI: "Cấp trên ghi nhận báo cáo, kết thúc xử lý", EN: "Report accepted, handling closed"},
		"trail.received_on":      {VI: "Ngày đến", EN: "Arrived"},
		"trail.via_delivery":     {VI: "Văn bản nhận qua hệ thống: chuyển xử lý tại trang văn bản đến", EN: "Received through Loa: pass it on from its inbox page"},
		"trail.pass":             {VI: "Chuyển xử lý", EN: "Pass on"},
		"trail.pass_hint":        {VI: "Giao cho một người hoặc một đơn vị trực thuộc, kèm ý kiến chỉ đạo và hạn xử lý. Các lần chuyển trước vẫn được giữ lại.", EN: "Give it to a person or a sub-unit with an instruction and a deadline. Earlier steps are kept."},
		"trail.pass_to":          {VI: "Người hoặc đơn vị xử lý", EN: "Person or unit"},
		"trail.pass_choose":      {VI: "— Chọn —", EN: "— Choose —"},
		"trail.users":            {VI: "Người", EN: "People"},
		"trail.units":            {VI: "Đơn vị", EN: "Units"},
		"trail.deadline_hint":    {VI: "dd/mm/yyyy, hết ngày đó", EN: "dd/mm/yyyy, end of that day"},
		"flash.passed":           {VI: "Đã chuyển xử lý.", EN: "Passed on."},
		"regsvc.duplicate":       {VI: "Văn bản %s đã được vào sổ văn bản đến của đơn vị: số đến %d/%d, ngày %s. Kiểm tra dòng sổ đó; nếu đúng là một văn bản khác cần số đến mới, chọn “Vẫn vào sổ”.", EN: "Document %s is already in the unit's incoming register: arrival number %d/%d of %s. Check that line; if it really is another letter that needs its own number, choose “Register anyway”."},
		"reg.dup_title":          {VI: "Văn bản này đã có trong sổ văn bản đến", EN: "This document is already in the incoming register"},
		"reg.dup_existing":       {VI: "Dòng sổ đã có", EN: "Existing register line"},
		"reg.dup_confirm":        {VI: "Vẫn vào sổ (cấp số đến mới)", EN: "Register anyway (new arrival number)"},
		"reg.dup_cancel":         {VI: "Không vào sổ lại", EN: "Do not register again"},
		"reg.arrival":            {VI: "Số đến", EN: "Arrival number"},
		"trailsvc.deadline":      {VI: "Hạn xử lý “%s” không phải là ngày: nhập theo dạng dd/mm/yyyy.", EN: "Deadline %q is not a date: use dd/mm/yyyy."},
		"trailsvc.deadline_past": {VI: "Hạn xử lý %s đã qua: chọn hôm nay hoặc một ngày sau.", EN: "Deadline %s has passed: choose today or a later day."},
		"trailsvc.who":           {VI: "Chọn một người hoặc một đơn vị để chuyển xử lý.", EN: "Choose one person or one unit to pass it to."},
		"trailsvc.not_incoming":  {VI: "Chỉ chuyển xử lý được văn bản đến đã vào sổ của đơn vị.", EN: "Only an incoming document entered in the unit's register can be passed on."},
	}
}
