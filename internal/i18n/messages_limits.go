package i18n

// limitsMessages are the strings of the page "Giới hạn phát" (quiet
// hours, volume caps and the maximum daily broadcast time).
func limitsMessages() Catalog {
	return Catalog{
		"bc.tab.limits":               {VI: "Giới hạn phát", EN: "Limits"},
		"bc.limits.title":             {VI: "Giờ yên tĩnh và giới hạn âm lượng", EN: "Quiet hours and loudness limits"},
		"bc.limits.intro":             {VI: "Tin thường và tin ưu tiên không được phát trong giờ yên tĩnh hay quá thời lượng tối đa mỗi ngày; tin khẩn cấp và phát trực tiếp vẫn phát (có ghi nhật ký). Cụm loa tự giới hạn âm lượng theo khung giờ, kể cả khi mất kết nối. Cụm loa chưa đặt riêng thì dùng giới hạn của đơn vị; đơn vị chưa đặt thì dùng của đơn vị cấp trên.", EN: "Normal and priority items may not play in quiet hours or beyond the maximum daily time; emergencies and live broadcasts still play (audited). Clusters cap their volume by time of day, even offline. A cluster without its own limits uses its unit's; a unit without them uses the unit above."},
		"bc.limits.unit":              {VI: "Đơn vị: %s", EN: "Unit: %s"},
		"bc.limits.cluster":           {VI: "Cụm loa: %s", EN: "Cluster: %s"},
		"bc.limits.own":               {VI: "Đặt riêng (người đặt: %s).", EN: "Set here (by %s)."},
		"bc.limits.inherited_unit":    {VI: "Chưa đặt riêng: đang dùng giới hạn của đơn vị cấp trên (nếu có).", EN: "Not set here: the limits of the unit above apply (if any)."},
		"bc.limits.inherited_cluster": {VI: "Chưa đặt riêng: đang dùng giới hạn của đơn vị.", EN: "Not set here: the unit's limits apply."},
		"bc.limits.quiet_now":         {VI: "Giờ yên tĩnh %s–%s", EN: "Quiet hours %s–%s"},
		"bc.limits.no_quiet":          {VI: "Không có giờ yên tĩnh", EN: "No quiet hours"},
		"bc.limits.daily_now":         {VI: "Tối đa %d phút mỗi ngày", EN: "At most %d minutes a day"},
		"bc.limits.no_daily":          {VI: "Không giới hạn thời lượng", EN: "No daily limit"},
		"bc.limits.cap_now":           {VI: "%s–%s: âm lượng tối đa %d %%", EN: "%s–%s: volume at most %d %%"},
		"bc.limits.quiet":             {VI: "Giờ yên tĩnh và thời lượng", EN: "Quiet hours and daily time"},
		"bc.limits.quiet_start":       {VI: "Bắt đầu", EN: "From"},
		"bc.limits.quiet_end":         {VI: "Kết thúc", EN: "To"},
		"bc.limits.daily":             {VI: "Thời lượng tối đa (phút/ngày, 0 = không giới hạn)", EN: "Maximum minutes a day (0 = no limit)"},
		"bc.limits.caps":              {VI: "Âm lượng tối đa theo khung giờ", EN: "Volume caps by time of day"},
		"bc.limits.caps_hint":         {VI: "Ví dụ 05:00–06:30 tối đa 60 %. Để trống dòng không dùng.", EN: "E.g. 05:00–06:30 at most 60 %. Leave unused rows empty."},
		"bc.limits.cap_from":          {VI: "Từ", EN: "From"},
		"bc.limits.cap_to":            {VI: "Đến", EN: "To"},
		"bc.limits.cap_max":           {VI: "Âm lượng tối đa (%)", EN: "Maximum volume (%)"},
		"bc.limits.set_cluster":       {VI: "Đặt giới hạn riêng cho cụm loa này", EN: "Set this cluster's own limits"},
		"bc.limits.save":              {VI: "Lưu giới hạn", EN: "Save limits"},
		"bc.limits.bad_number":        {VI: "“%s” không phải là số: hãy nhập số nguyên.", EN: "“%s” is not a number: enter a whole number."},
		"flash.bc_limits_saved":       {VI: "Đã lưu giới hạn phát; lịch phát của các cụm loa đã được cập nhật.", EN: "Limits saved; the clusters' schedules were updated."},
	}
}
