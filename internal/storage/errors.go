package storage

import "github.com/loa-project/loa/internal/model"

var errNotFound = model.ErrNotFound
