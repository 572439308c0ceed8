-- +goose Up
-- Orders made from a directive's content item record it in typed columns
-- (the directive, the item's number, the delivery that brought it), and
-- "was this item already scheduled for this unit" is one indexed lookup.

ALTER TABLE broadcast_orders ADD COLUMN source_directive_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE broadcast_orders ADD COLUMN source_item INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcast_orders ADD COLUMN source_delivery_id BIGINT NOT NULL DEFAULT 0;

-- Orders made before they carried a source reference (early emergencies)
-- were recognised by their title, "<code>, mục <label>": give them the
-- reference of the one directive item with that title, so that titles are
-- never matched again. Ambiguous titles, and a second order of a unit with
-- the same title, are left alone.
UPDATE broadcast_orders
SET source = 'directive',
    source_ref = (SELECT 'directive:' || i.directive_id || ':item:' || i.position
                  FROM directive_items i JOIN directives d ON d.id = i.directive_id
                  WHERE i.broadcast AND d.code <> '' AND d.code || ', mục ' || i.label = broadcast_orders.title)
WHERE source_ref = ''
  AND (SELECT COUNT(*) FROM directive_items i JOIN directives d ON d.id = i.directive_id
       WHERE i.broadcast AND d.code <> '' AND d.code || ', mục ' || i.label = broadcast_orders.title) = 1
  AND id = (SELECT MIN(o2.id) FROM broadcast_orders o2
            WHERE o2.unit_id = broadcast_orders.unit_id AND o2.title = broadcast_orders.title AND o2.source_ref = '')
  AND NOT EXISTS (SELECT 1 FROM broadcast_orders o3 JOIN directive_items i ON o3.source_ref = 'directive:' || i.directive_id || ':item:' || i.position
                  JOIN directives d ON d.id = i.directive_id
                  WHERE o3.unit_id = broadcast_orders.unit_id AND d.code || ', mục ' || i.label = broadcast_orders.title);

UPDATE broadcast_orders SET
    source_directive_id = split_part(source_ref, ':', 2)::BIGINT,
    source_item = split_part(source_ref, ':', 4)::INTEGER
WHERE source_ref ~ '^directive:[0-9]+:item:[0-9]+$';

CREATE UNIQUE INDEX broadcast_orders_directive_item ON broadcast_orders(unit_id, source_directive_id, source_item) WHERE source_directive_id <> 0;

-- +goose Down
DROP INDEX broadcast_orders_directive_item;
ALTER TABLE broadcast_orders DROP COLUMN source_delivery_id;
ALTER TABLE broadcast_orders DROP COLUMN source_item;
ALTER TABLE broadcast_orders DROP COLUMN source_directive_id;
