// Package edxml reads and writes edXML packages, the format Vietnamese state
// agencies use to exchange electronic documents (QCVN 102:2016/BTTTT, amended
// by SĐ1:2022).
//
// A document package looks like this (element names and nesting as in the
// public SDK samples of the national exchange axis):
//
//	<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
//	  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
//	    <edXML:edXMLHeader>
//	      <edXML:MessageHeader> From, To*, Code, PromulgationInfo, DocumentType,
//	        Subject, Content, SignerInfo, DueDate, ToPlaces, OtherInfo,
//	        ResponseFor*, SteeringType, DocumentId </edXML:MessageHeader>
//	      <edXML:TraceHeaderList> TraceHeader*, Bussiness </edXML:TraceHeaderList>
//	      (Signature: XML-DSig, ignored on input, never written)
//	    </edXML:edXMLHeader>
//	    <edXML:edXMLBody><edXML:edXMLManifest version="1.0">
//	      <edXML:Reference xlink:href="cid:X"> ContentId cid:X, ContentType,
//	        Description, AttachmentName </edXML:Reference>
//	    </edXML:edXMLManifest></edXML:edXMLBody>
//	  </edXML:edXMLEnvelope>
//	  <AttachmentEncoded>
//	    <Attachment> ContentType, ContentId X, Description, AttachmentName,
//	      ContentTransferEncoded (base64) </Attachment>
//	  </AttachmentEncoded>
//	</edXML>
//
// Every element is in the QCVN 102 namespace; the "edXML:" prefix inside the
// envelope and the unprefixed AttachmentEncoded part mirror the published
// samples byte for byte so that receivers which match on prefixed tag names
// still work. The decoder resolves namespaces properly and accepts either
// spelling, "cid:" with or without the prefix, and whitespace inside base64.
//
// A status package (gói tin trạng thái) uses the same envelope with a
// MessageHeader holding ResponseFor, From, StatusCode, Description, Timestamp
// and StaffInfo; see Status.
//
// Decoding is defensive: the input size, the decoded size of each attachment
// and the number of attachments are limited (Limits), DOCTYPE and other
// markup declarations are refused, and every problem is reported with the
// path of the element it concerns (ValidationError).
package edxml
