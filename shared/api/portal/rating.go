package portal

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Rating is a ticket's satisfaction rating as its customer sees it.
type Rating struct {
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	RatedAt time.Time `json:"rated_at"`
}

func publicRating(r helpdesk.Rating) *Rating {
	return &Rating{Score: r.Score, Comment: r.Comment, RatedAt: r.RatedAt.UTC()}
}

// ratingBody bounds a rating request: a score and a comment of at most
// csat.MaxComment characters, each at its longest JSON spelling.
const ratingBody = maxEscaped*csat.MaxComment + 1024

// rateTicket records the customer's rating of one of their closed tickets,
// once, within csat.Window of its closing: csat.Service.RateTicket decides
// on the header theirTicket read and writes (its own item: the ticket is
// not touched). Another customer's ticket is a 404 before the body is
// looked at, like a missing one.
func (a *API) rateTicket(w http.ResponseWriter, r *http.Request, s session) error {
	var req struct {
		Score   int    `json:"score"`
		Comment string `json:"comment"`
	}
	bodyErr := readJSON(r, ratingBody, &req)
	t, err := a.theirTicket(r.Context(), r.PathValue("id"), s)
	if err != nil {
		return err
	}
	if bodyErr != nil {
		return bodyErr
	}
	if a.Ratings == nil {
		return helpdesk.Errorf(helpdesk.EUnavailable, "ratings_unavailable", "ratings are not configured")
	}
	rating, err := a.Ratings.RateTicket(r.Context(), t, s.contactID, req.Score, req.Comment)
	var he *helpdesk.Error
	switch {
	case errors.As(err, &he) && he.Reason == "rating_expired":
		// The portal's word for it (its contract): the rating window closed.
		return helpdesk.Errorf(helpdesk.EConflict, "rating_closed", "%s", he.Message)
	case helpdesk.IsCode(err, helpdesk.ENotFound):
		return errNoTicket
	case err != nil:
		return fmt.Errorf("rate ticket %s: %w", r.PathValue("id"), err)
	}
	httpjson.Write(w, http.StatusCreated, publicRating(rating))
	return nil
}

// rateState is what a ticket's page says of its rating: the rating, or
// whether one is taken now and until when. The rules are csat's: MayRate
// (closed, not spam, theirs, within the window), and the window's end from
// For.
func (a *API) rateState(r *http.Request, t helpdesk.Ticket, contactID string) (rating *Rating, canRate bool, until *time.Time, err error) {
	tok, surveyed := csat.For("", t)
	if !surveyed {
		return nil, false, nil, nil // open: nothing to rate, nothing read
	}
	end := tok.Expires.UTC()
	switch got, err := a.Store.GetRating(r.Context(), t.ID); {
	case err == nil:
		return publicRating(got), false, &end, nil
	case !helpdesk.IsCode(err, helpdesk.ENotFound):
		return nil, false, nil, err
	}
	return nil, csat.MayRate(t, contactID, a.now()) == nil && a.Ratings != nil, &end, nil
}
