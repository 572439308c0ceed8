package schedule

// Embed the time zone database into the test binary so the
// Asia/Ho_Chi_Minh test runs on machines without tzdata.
import _ "time/tzdata"
