package i18n

// searchMessages are the strings of the search box and page.
func searchMessages() Catalog {
	return Catalog{
		"search.title":             {VI: "Tìm kiếm văn bản", EN: "Search documents"},
		"search.placeholder":       {VI: "Từ khóa, có dấu hoặc không dấu; số, ký hiệu như 570/STTTT-TTBCBC", EN: "Words, with or without diacritics; a code such as 570/STTTT-TTBCBC"},
		"search.placeholder_short": {VI: "Tìm văn bản…", EN: "Search documents…"},
		"search.submit":            {VI: "Tìm", EN: "Search"},
		"search.filters":           {VI: "Bộ lọc", EN: "Filters"},
		"search.recipient":         {VI: "Nơi nhận", EN: "Recipient"},
		"search.from":              {VI: "Từ ngày", EN: "From"},
		"search.to":                {VI: "Đến ngày", EN: "To"},
		"search.register":          {VI: "Sổ đăng ký", EN: "Register"},
		"search.state":             {VI: "Trạng thái xử lý", EN: "Handling state"},
		"search.audio":             {VI: "Có tệp âm thanh", EN: "Has audio"},
		"search.sort":              {VI: "Sắp xếp", EN: "Sort"},
		"search.sort.relevance":    {VI: "Phù hợp nhất", EN: "Best match"},
		"search.sort.date_desc":    {VI: "Ngày văn bản, mới trước", EN: "Document date, newest first"},
		"search.sort.date_asc":     {VI: "Ngày văn bản, cũ trước", EN: "Document date, oldest first"},
		"search.sort.newest":       {VI: "Mới nhập trước", EN: "Recently stored first"},
		"search.total":             {VI: "Tìm thấy %s văn bản", EN: "%s documents found"},
		"search.more":              {VI: "Tìm thấy hơn %s văn bản; kết quả được xếp hạng và đếm trong %s văn bản mới nhất. Thêm từ khóa hoặc bộ lọc để thu hẹp.", EN: "More than %s documents found; results are ranked and counted among the newest %s. Add words or filters to narrow the search."},
		"search.none":              {VI: "Không tìm thấy văn bản nào. Thử bớt từ khóa hoặc bỏ bớt bộ lọc.", EN: "No documents found. Try fewer words or filters."},
		"search.truncated":         {VI: "Câu tìm kiếm quá dài: chỉ dùng 512 ký tự và 12 từ đầu tiên.", EN: "The query is too long: only its first 512 bytes and 12 words are used."},
		"search.no_words":          {VI: "Câu tìm kiếm không có chữ hoặc số nào để tìm (chỉ có dấu câu, ký hiệu); chỉ áp dụng bộ lọc.", EN: "The query has no letters or digits to look for (only punctuation or symbols); only the filters apply."},
		"search.prev":              {VI: "Trang trước", EN: "Previous page"},
		"search.next":              {VI: "Trang sau", EN: "Next page"},
	}
}
