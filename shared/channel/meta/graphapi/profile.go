package graphapi

import (
	"context"
	"strings"
)

// ProfileFields are the User Profile API fields the help desk asks for.
const ProfileFields = "first_name,last_name,name,profile_pic"

// Profile is what the Messenger User Profile API answers for a PSID.
type Profile struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	ProfilePic string `json:"profile_pic"` // a URL that expires
}

// DisplayName is the person's name as Meta gives it, else first and last.
func (p Profile) DisplayName() string {
	if n := strings.TrimSpace(p.Name); n != "" {
		return n
	}
	return strings.TrimSpace(strings.TrimSpace(p.FirstName) + " " + strings.TrimSpace(p.LastName))
}

// MessengerProfile reads a Messenger user's public profile with the page's
// access token (User Profile API): GET {base}/{version}/{psid}?fields=...
func (c *Client) MessengerProfile(ctx context.Context, token, psid string) (Profile, error) {
	if err := checkToken(token); err != nil {
		return Profile{}, err
	}
	u, err := c.endpoint("psid", psid, "")
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	if err := c.callJSON(ctx, "GET", u+"?fields="+ProfileFields, token, nil, &p); err != nil {
		return Profile{}, err
	}
	return p, nil
}
