// Package schedule turns broadcast orders for commune radio into concrete,
// per-device playlists.
//
// The rules follow Circular 39/2020/TT-BTTTT: bulletins from the central and
// provincial source systems are normal (the commune fits them into its own
// schedule), priority (played before the commune's own items) or emergency
// (played at once, interrupting). The package adds two levels of its own:
// LevelLive (relays and "play now") between priority and emergency, and
// LevelFiller, the commune's background items, which only play in gaps.
//
// Every device has one audio channel. Build expands each order's time slots
// into occurrences inside a window and then resolves clashes like a
// preemptive priority player would:
//
//   - whenever the channel is free, the best waiting item starts: higher level
//     first; for equal levels the earlier requested start, then the unit's own
//     ordering key (Order.UnitOrder, lower first), then the order id;
//   - an item that arrives while a strictly lower-level item plays cuts it when
//     it has Interrupts set (the cut entry is marked Truncated; Options.OnInterrupt
//     may resume or replay the rest later), otherwise it waits for the end;
//   - an item below LevelEmergency that cannot start within Options.Tolerance of its
//     requested start is dropped and reported in Playlist.Dropped; emergency
//     items are never dropped for lateness;
//   - filler items never delay anything: they are placed afterwards into gaps
//     long enough to hold them, within the same tolerance.
//
// The result is deterministic: the same orders, devices, window and options
// give the same playlists and the same ETag, whatever the order of the input
// slices. Emergency inserts a play-now order into an existing playlist, and
// Day cuts playlists down to one calendar day. The package does no I/O; times are interpreted in the
// *time.Location the caller passes (Asia/Ho_Chi_Minh, or a fixed +07:00 zone:
// Vietnam has no daylight saving time).
package schedule
