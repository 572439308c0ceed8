// Package docparse turns an official Vietnamese administrative document
// (plain text in UTF-8, UTF-16, TCVN3 or VNI; DOCX; PDF with a text layer)
// into docmodel.Fields: issuing body, number and notation, place and date,
// type and subject, marks, recipients, cited documents, content items,
// signature block, distribution list and archive marks.
//
// Extract detects the format from the content (magic bytes) first and the
// file name extension second, and returns NFC Unicode text. Parse works on
// that text and never fails: what it cannot find stays null (or an empty
// list) and is explained in Fields.Warnings. ParseFile chains both.
//
// Conventions the parser follows (see also the package tests and corpus):
//
//   - number/notation: "Số: 570/STTTT-TTBCBC" gives number "570" and
//     notation "STTTT-TTBCBC". For legal-normative documents
//     "Số: 45/2021/QĐ-UBND" gives number "45" and notation "2021/QĐ-UBND"
//     (everything after the first separator), so that number+notation
//     printed with "/" reproduces the original. Party documents
//     "Số 05-CT/TW" give number "05" and notation "CT/TW". Spaces inside a
//     notation ("125 / UBND - VX") are removed.
//   - subject: the prefixes "V/v", "Về việc" and "Về:" are dropped and the
//     first letter is capitalised; wrapped lines are joined with a space.
//   - doc_type: the canonical capitalised name ("Quyết định"); a document
//     with no type name but a "V/v" line or a "Kính gửi" block is a
//     "Công văn".
//   - items: every body paragraph that starts with "1.", "1)", "1.2",
//     "a)", "I." or "Điều 1." is one item, labelled "1", "1.2", "a", "I" or
//     "Điều 1"; its text is that paragraph only (wrapped lines joined), not
//     the unnumbered paragraphs after it.
//   - signing_authority: the form lines (TM., KT., TL., TUQ., Q., T/M, K/T,
//     T/L) joined by a space, e.g. "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH";
//     signer_title: the capitalised title lines after them, joined by a
//     space; signer_name: the last person-name line of the closing.
//   - attachments_mentioned: parenthesised notes containing "kèm"; outside
//     them, clauses starting with "gửi kèm", "đính kèm" or "kèm theo" and
//     mentions of audio files ("file âm thanh", ...), each up to the next
//     ",", ";", "." or ")"; and "Phụ lục" with its designator ("Phụ lục II").
package docparse
