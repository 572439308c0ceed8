package web

import (
	"context"
	"net/http"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// DirectiveWorkflow is what the endpoints that move a directive through
// its approval steps need.
type DirectiveWorkflow interface {
	Submit(ctx context.Context, a model.Actor, id int64, comment string) (*directives.View, error)
	Approve(ctx context.Context, a model.Actor, id int64, comment string) (*directives.View, error)
	Return(ctx context.Context, a model.Actor, id int64, comment string) (*directives.View, error)
	Issue(ctx context.Context, a model.Actor, id int64, in directives.IssueInput) (*directives.View, error)
	Correct(ctx context.Context, a model.Actor, id int64, kind string) (*directives.View, error)
}

// dirStepRequest is the optional body of a workflow step.
type dirStepRequest struct {
	Comment string `json:"comment"`
}

func (dirStepRequest) optionalBody() {}

// dirIssueRequest is the optional body of issuing a directive.
type dirIssueRequest struct {
	directives.IssueInput
}

func (dirIssueRequest) optionalBody() {}

func (s directiveHandlers) registerDirectiveWorkflowAPI(svc DirectiveWorkflow) {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	step := func(fn func(ctx context.Context, a model.Actor, id int64, comment string) (*directives.View, error)) http.HandlerFunc {
		return j(jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, id int64, in dirStepRequest) (*directives.View, error) {
			return fn(ctx, a, id, in.Comment)
		}))
	}
	s.handle("POST /api/v1/directives/{id}/submit", true, step(bind4(svc, DirectiveWorkflow.Submit)))
	s.handle("POST /api/v1/directives/{id}/approve", true, step(bind4(svc, DirectiveWorkflow.Approve)))
	s.handle("POST /api/v1/directives/{id}/return", true, step(bind4(svc, DirectiveWorkflow.Return)))
	s.handle("POST /api/v1/directives/{id}/issue", true, j(jsonID(s.Server, "id", http.StatusOK, func(ctx context.Context, a model.Actor, id int64, in dirIssueRequest) (*directives.View, error) {
		return svc.Issue(ctx, a, id, in.IssueInput)
	})))
	s.handle("POST /api/v1/directives/{id}/corrections", true, j(jsonID(s.Server, "id", http.StatusCreated, func(ctx context.Context, a model.Actor, id int64, in struct {
		Kind string `json:"kind"`
	}) (*directives.View, error) {
		return svc.Correct(ctx, a, id, in.Kind)
	})))
}
