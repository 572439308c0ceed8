package model

import "time"

// DocumentFile is a file of a document besides its original: an
// attachment of a received edXML package, or a file unpacked from one.
type DocumentFile struct {
	ID          int64     `json:"id"`
	DocumentID  int64     `json:"document_id"`
	Position    int       `json:"position"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Source      string    `json:"source"` // "attachment", "zip:NAME"
	CreatedAt   time.Time `json:"created_at"`
}

// ExchangePackage is an edXML package a unit received or sent.
type ExchangePackage struct {
	ID              int64     `json:"id"`
	UnitID          int64     `json:"unit_id"`
	DocumentID      *int64    `json:"document_id"`
	Direction       string    `json:"direction"` // in, out
	Kind            string    `json:"kind"`      // document, status
	EdXMLDocumentID string    `json:"edxml_document_id"`
	BusinessType    int       `json:"business_type"`
	StatusCode      string    `json:"status_code"`
	OrganID         string    `json:"organ_id"`
	OrganName       string    `json:"organ_name"`
	Description     string    `json:"description"`
	Warnings        string    `json:"warnings"`
	PackageSHA      string    `json:"package_sha256"`
	At              time.Time `json:"at"`
	CreatedAt       time.Time `json:"created_at"`
}
