-- +goose Up
-- A directive's content item may carry several recordings (the Sở sends
-- two bulletins with one item): each becomes its own order, played one
-- after the other at the item's times. source_part numbers them (0 for
-- the first, and for items read by speech); an item is still scheduled
-- once per unit, each of its recordings once (the recordings of an item
-- share its source reference).
ALTER TABLE broadcast_orders ADD COLUMN source_part INTEGER NOT NULL DEFAULT 0;
DROP INDEX broadcast_orders_directive_item;
CREATE UNIQUE INDEX broadcast_orders_directive_item ON broadcast_orders(unit_id, source_directive_id, source_item, source_part) WHERE source_directive_id <> 0;
DROP INDEX broadcast_orders_source;
CREATE UNIQUE INDEX broadcast_orders_source ON broadcast_orders(unit_id, source_ref, source_part) WHERE source_ref <> '';

-- +goose Down
-- (Fails while an item has several recordings scheduled: the old index
-- cannot hold them.)
DROP INDEX broadcast_orders_directive_item;
DROP INDEX broadcast_orders_source;
ALTER TABLE broadcast_orders DROP COLUMN source_part;
CREATE UNIQUE INDEX broadcast_orders_source ON broadcast_orders(unit_id, source_ref) WHERE source_ref <> '';
CREATE UNIQUE INDEX broadcast_orders_directive_item ON broadcast_orders(unit_id, source_directive_id, source_item) WHERE source_directive_id <> 0;
