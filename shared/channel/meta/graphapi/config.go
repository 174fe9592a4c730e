package graphapi

// Config is the environment of a function that calls the Graph API; embed
// it in the function's config struct. Empty values select Meta's API.
type Config struct {
	GraphAPIURL     string `env:"GRAPH_API_URL"`
	GraphAPIVersion string `env:"GRAPH_API_VERSION"`
}

// Client returns a client for the configured Graph API.
func (c *Config) Client() *Client { return New(c.GraphAPIURL, c.GraphAPIVersion, nil) }
