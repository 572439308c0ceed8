package i18n

// liveMessages are the strings of the live broadcast page and the live
// service's refusals.
func liveMessages() Catalog {
	return Catalog{
		"bc.tab.live":           {VI: "Phát trực tiếp", EN: "Go live"},
		"bc.live.title":         {VI: "Phát trực tiếp", EN: "Live broadcast"},
		"bc.live.intro":         {VI: "Nói qua micrô của máy tính hoặc điện thoại: các cụm loa đã chọn phát ngay lời nói (chậm khoảng một đến hai giây), trên lịch phát thường, dưới tin khẩn cấp. Cụm loa vào sau nghe từ lúc đó. Bản ghi được lưu vào thư viện làm bằng chứng và mỗi cụm loa ghi vào nhật ký phát.", EN: "Speak into the computer's or phone's microphone: the chosen clusters play your voice at once (about one to two seconds later), above the schedule and below emergencies. A cluster that joins late hears from that moment. The recording is kept in the library as evidence and each cluster logs the play."},
		"bc.live.mic":           {VI: "Micrô", EN: "Microphone"},
		"bc.live.title_field":   {VI: "Tiêu đề buổi phát", EN: "Title of the broadcast"},
		"bc.live.default_title": {VI: "Phát trực tiếp", EN: "Live broadcast"},
		"bc.live.targets":       {VI: "Phát tới", EN: "Broadcast to"},
		"bc.live.online":        {VI: "đang kết nối", EN: "online"},
		"bc.live.start":         {VI: "Bắt đầu phát", EN: "Go live"},
		"bc.live.stop":          {VI: "Kết thúc", EN: "Stop"},
		"bc.live.ready":         {VI: "Sẵn sàng.", EN: "Ready."},
		"bc.live.hint":          {VI: "Trình duyệt sẽ hỏi quyền dùng micrô. Giữ trang này mở trong khi phát; đóng trang hoặc mất mạng quá 30 giây thì loa dừng.", EN: "The browser asks for the microphone. Keep this page open while on air; closing it or losing the network for 30 seconds stops the loudspeakers."},
		"bc.live.unsupported":   {VI: "Trình duyệt này không ghi âm được: hãy dùng Chrome, Edge hoặc Firefox bản mới.", EN: "This browser cannot record: use a recent Chrome, Edge or Firefox."},
		"bc.live.denied":        {VI: "Không mở được micrô: hãy cho phép trang dùng micrô rồi thử lại.", EN: "The microphone could not be opened: allow this page to use it and try again."},
		"bc.live.starting":      {VI: "Đang bắt đầu…", EN: "Starting…"},
		"bc.live.onair":         {VI: "Đang phát trực tiếp.", EN: "On air."},
		"bc.live.stopping":      {VI: "Đang kết thúc và lưu bản ghi…", EN: "Stopping and keeping the recording…"},
		"bc.live.ended":         {VI: "Đã kết thúc; bản ghi đã lưu.", EN: "Ended; the recording is kept."},
		"bc.live.failed":        {VI: "Lỗi:", EN: "Error:"},
		"bc.live.no_target":     {VI: "Hãy chọn ít nhất một cụm loa.", EN: "Choose at least one cluster."},
		"bc.live.sessions":      {VI: "Các buổi phát trực tiếp", EN: "Live broadcasts"},
		"bc.live.col_title":     {VI: "Tiêu đề", EN: "Title"},
		"bc.live.col_start":     {VI: "Bắt đầu", EN: "Started"},
		"bc.live.col_end":       {VI: "Kết thúc", EN: "Ended"},
		"bc.live.col_record":    {VI: "Bản ghi", EN: "Recording"},
		"bc.live.on_air":        {VI: "đang phát", EN: "on air"},
		"bc.live.kept":          {VI: "đã lưu", EN: "kept"},
		"bc.live.not_kept":      {VI: "không lưu được", EN: "not kept"},
		"bc.live.none":          {VI: "Chưa có buổi phát trực tiếp nào.", EN: "No live broadcast yet."},

		"bcsvc.media_live":       {VI: "Bản tin số %d là bản ghi của một buổi phát trực tiếp đang phát hoặc không lưu được: hãy chọn bản tin khác.", EN: "Bulletin %d is the recording of a live broadcast that is on air or was not kept: choose another bulletin."},
		"bcsvc.live_mime":        {VI: "%q: phát trực tiếp nhận âm thanh audio/webm mã Opus (MediaRecorder của trình duyệt).", EN: "%q: a live broadcast is sent as audio/webm with Opus (the browser's MediaRecorder)."},
		"bcsvc.live_ended":       {VI: "Buổi phát trực tiếp đã kết thúc: hãy bắt đầu buổi mới.", EN: "The live broadcast has ended: start a new one."},
		"bcsvc.live_chunk_empty": {VI: "Đoạn âm thanh gửi lên trống.", EN: "The chunk is empty."},
		"bcsvc.live_chunk_large": {VI: "Mỗi đoạn gửi lên tối đa %d byte: hãy ghi với khoảng 250 ms.", EN: "A chunk is limited to %d bytes: record with a timeslice of about 250 ms."},
		"bcsvc.live_seq":         {VI: "Đoạn số %d không đúng thứ tự: hãy gửi đoạn số %d.", EN: "Chunk %d is out of order: send chunk %d next."},
		"bcsvc.live_not_webm":    {VI: "Đoạn đầu tiên không phải WebM: hãy ghi bằng MediaRecorder dạng audio/webm;codecs=opus.", EN: "The first chunk does not start a WebM stream: record with MediaRecorder as audio/webm;codecs=opus."},
		"bcsvc.live_too_long":    {VI: "Buổi phát đã đạt giới hạn %d MiB: hãy kết thúc và bắt đầu buổi mới.", EN: "The live broadcast reached its limit of %d MiB: stop it and start a new one."},
		"bcsvc.live_seq_missing": {VI: "%q: hãy ghi số thứ tự của đoạn (0, 1, 2 …) trong ?seq=N.", EN: "%q: give the chunk's number (0, 1, 2 …) as ?seq=N."},
	}
}
