package storage

// Per-domain stores. Each is a small type over the shared query runner Q
// (placeholders, prepared statements, the pool or the transaction), one
// per aggregate family; a pool (Store) and a transaction (Tx) both hand
// them out: store.Documents().Document(ctx, id), tx.Registers().NextNumber(…).
// Their row types live in internal/model.

// AccountStore holds the queries of users, sessions, API tokens and sign-in throttle counters.
type AccountStore struct{ Q }

// Accounts returns the accounts queries on q's pool or transaction.
func (q Q) Accounts() AccountStore { return AccountStore{q} }

// AuditStore holds the queries of the audit log.
type AuditStore struct{ Q }

// Audit returns the audit queries on q's pool or transaction.
func (q Q) Audit() AuditStore { return AuditStore{q} }

// BroadcastStore holds the queries of media, broadcast orders, device schedules, play logs and automatic scheduling.
type BroadcastStore struct{ Q }

// Broadcast returns the broadcast queries on q's pool or transaction.
func (q Q) Broadcast() BroadcastStore { return BroadcastStore{q} }

// ChannelStore holds the queries of SMS/OTT campaigns and messages, subscriber lists and hand-confirmed tasks.
type ChannelStore struct{ Q }

// Channels returns the channels queries on q's pool or transaction.
func (q Q) Channels() ChannelStore { return ChannelStore{q} }

// DeliveryStore holds the queries of deliveries of issued directives (inbox, states, reminders) and notifications.
type DeliveryStore struct{ Q }

// Deliveries returns the deliveries queries on q's pool or transaction.
func (q Q) Deliveries() DeliveryStore { return DeliveryStore{q} }

// DeviceStore holds the queries of loudspeaker devices, their enrolment keys and remote commands.
type DeviceStore struct{ Q }

// Devices returns the devices queries on q's pool or transaction.
func (q Q) Devices() DeviceStore { return DeviceStore{q} }

// DirectiveStore holds the queries of directive drafts, versions, comments, content items and settings.
type DirectiveStore struct{ Q }

// Directives returns the directives queries on q's pool or transaction.
func (q Q) Directives() DirectiveStore { return DirectiveStore{q} }

// DocumentStore holds the queries of documents, their versions, references and stored originals (blobs).
type DocumentStore struct{ Q }

// Documents returns the documents queries on q's pool or transaction.
func (q Q) Documents() DocumentStore { return DocumentStore{q} }

// OrgStore holds the queries of the organisation tree (units, kinds, history) and recipient groups.
type OrgStore struct{ Q }

// Orgs returns the orgs queries on q's pool or transaction.
func (q Q) Orgs() OrgStore { return OrgStore{q} }

// RegisterStore holds the queries of document registers and their number counters.
type RegisterStore struct{ Q }

// Registers returns the registers queries on q's pool or transaction.
func (q Q) Registers() RegisterStore { return RegisterStore{q} }

// SpeechStore holds the queries of units' pronunciation dictionaries, speech profiles and broadcast limits.
type SpeechStore struct{ Q }

// Speech returns the speech queries on q's pool or transaction.
func (q Q) Speech() SpeechStore { return SpeechStore{q} }
