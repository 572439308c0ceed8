-- +goose Up
-- An emergency is pushed as soon as its order is stored; its plays on
-- every targeted device (schedule items) and the devices' schedule
-- versions are written by a second transaction right after the push.
-- plays_pending marks an order whose plays are not written yet: if the
-- server stops in between, it finishes them when it starts again (and a
-- periodic check does if the second transaction failed).
ALTER TABLE broadcast_orders ADD COLUMN plays_pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX broadcast_orders_plays_pending ON broadcast_orders(id) WHERE plays_pending;

-- +goose Down
DROP INDEX broadcast_orders_plays_pending;
ALTER TABLE broadcast_orders DROP COLUMN plays_pending;
