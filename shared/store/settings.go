package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds the tenant's settings: one item, written whole, guarded by
// its version.

// settingsItem is the stored form of helpdesk.Settings. Pipelines are a list
// sorted by id (a map's order would make every write a different item) with
// their own attribute names, so the item does not change shape if the domain
// types' tags do.
type settingsItem struct {
	keyAttrs
	Pipelines  []pipelineAttr          `dynamodbav:"pipelines"`
	Categories []helpdesk.Category     `dynamodbav:"categories"`
	Defaults   helpdesk.TicketDefaults `dynamodbav:"defaults"`
	// DefaultEmailChannel answers tickets whose channel cannot reply.
	DefaultEmailChannel string `dynamodbav:"defaultEmailChannel,omitempty"`
	// CustomerNotifyOff are the kinds of customer notification turned off.
	CustomerNotifyOff []helpdesk.CustomerNotifyKind `dynamodbav:"customerNotifyOff,omitempty"`
	Version           int64                         `dynamodbav:"version"`
	UpdatedAt         time.Time                     `dynamodbav:"updatedAt"`

	// Portal is the customer portal's branding.
	Portal *portalBrandingAttr `dynamodbav:"portal,omitempty"`
	// SLA are the calendars and SLA policies (issue 15), stored with the
	// helpdesk types' own attribute names (they were made for storage).
	SLA *helpdesk.SLASettings `dynamodbav:"sla,omitempty"`
}

type pipelineAttr struct {
	ID     string      `dynamodbav:"id"`
	Name   string      `dynamodbav:"name"`
	Stages []stageAttr `dynamodbav:"stages"`
}

type stageAttr struct {
	ID     string `dynamodbav:"id"`
	Name   string `dynamodbav:"name"`
	Closed bool   `dynamodbav:"closed,omitempty"`
	// WaitingOnCustomer marks the "waiting on you" stage.
	WaitingOnCustomer bool `dynamodbav:"waitingOnCustomer,omitempty"`
}

func newSettingsItem(s helpdesk.Settings, version int64, now time.Time) settingsItem {
	it := settingsItem{
		keyAttrs:            keyAttrs{PK: pkSettings, SK: skSettings},
		Categories:          s.Categories,
		Defaults:            s.Defaults,
		DefaultEmailChannel: s.DefaultEmailChannel,
		CustomerNotifyOff:   s.CustomerNotify.Off,
		Portal:              newPortalBrandingAttr(s.Portal),
		SLA:                 newSLAAttr(s.SLA),
		Version:             version,
		UpdatedAt:           now.UTC(),
	}
	for _, p := range s.Pipelines {
		pa := pipelineAttr{ID: p.ID, Name: p.Name}
		for _, st := range p.Stages {
			pa.Stages = append(pa.Stages, stageAttr(st))
		}
		it.Pipelines = append(it.Pipelines, pa)
	}
	sort.Slice(it.Pipelines, func(i, j int) bool { return it.Pipelines[i].ID < it.Pipelines[j].ID })
	return it
}

func (it settingsItem) settings() helpdesk.Settings {
	s := helpdesk.Settings{
		Pipelines:           make(helpdesk.Pipelines, len(it.Pipelines)),
		Categories:          it.Categories,
		Defaults:            it.Defaults,
		DefaultEmailChannel: it.DefaultEmailChannel,
		CustomerNotify:      helpdesk.CustomerNotifySettings{Off: it.CustomerNotifyOff},
		Portal:              it.Portal.branding(),
		Version:             it.Version,
		UpdatedAt:           it.UpdatedAt,
	}
	if s.Categories == nil {
		s.Categories = []helpdesk.Category{}
	}
	if it.SLA != nil {
		s.SLA = *it.SLA
	}
	for _, pa := range it.Pipelines {
		p := helpdesk.Pipeline{ID: pa.ID, Name: pa.Name}
		for _, st := range pa.Stages {
			p.Stages = append(p.Stages, helpdesk.Stage(st))
		}
		s.Pipelines[p.ID] = p
	}
	return s
}

// GetSettings reads the tenant's settings, or ErrNotFound before anything
// created them (see CreateSettingsIfMissing).
func (s *Store) GetSettings(ctx context.Context) (helpdesk.Settings, error) {
	var it settingsItem
	if err := s.get(ctx, pkSettings, skSettings, &it); err != nil {
		return helpdesk.Settings{}, fmt.Errorf("settings: %w", err)
	}
	return it.settings(), nil
}

// PutSettings replaces the settings if they are still at expectVersion (the
// Version the caller read; 0 creates them and requires that none exist).
// The written settings are at expectVersion+1. It returns ErrVersionChanged
// if someone else wrote them since (an admin's concurrent edit: read again
// and reapply), ErrNotFound if they no longer exist, and an EInvalid error,
// without writing, for settings that do not validate: every function reads
// them, so an unusable value must never reach the table.
func (s *Store) PutSettings(ctx context.Context, set helpdesk.Settings, expectVersion int64) error {
	cond := expression.AttributeNotExists(expression.Name(attrPK))
	if expectVersion != 0 {
		cond = expression.Name(attrVersion).Equal(expression.Value(expectVersion))
	}
	err := s.putSettings(ctx, set, expectVersion+1, cond)
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed) && expectVersion != 0 && failed.Item == nil:
		return fmt.Errorf("put settings: %w", ErrNotFound)
	case errors.As(err, &failed):
		return fmt.Errorf("put settings at version %d: %w", expectVersion, ErrVersionChanged)
	case err != nil:
		return fmt.Errorf("put settings: %w", err)
	}
	return nil
}

// CreateSettingsIfMissing writes s as the first settings (version 1) unless
// settings exist, in which case it keeps them and returns nil. Concurrent
// first callers are safe: exactly one write succeeds. Settings that do not
// validate are refused as in PutSettings.
func (s *Store) CreateSettingsIfMissing(ctx context.Context, set helpdesk.Settings) error {
	err := s.putSettings(ctx, set, 1, expression.AttributeNotExists(expression.Name(attrPK)))
	var failed *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &failed) {
		return fmt.Errorf("create settings: %w", err)
	}
	return nil
}

// putSettings writes the settings item at version under cond. A failed
// condition comes back as the SDK's *types.ConditionalCheckFailedException,
// with the stored item.
func (s *Store) putSettings(ctx context.Context, set helpdesk.Settings, version int64, cond expression.ConditionBuilder) error {
	if err := set.Validate(); err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(newSettingsItem(set, version, s.now()))
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("settings condition: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           &s.table,
		Item:                                av,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &failed) {
		return translate(err)
	}
	return err
}

// portalBrandingAttr is the stored form of helpdesk.PortalBranding (its own
// attribute names, like the pipelines').
type portalBrandingAttr struct {
	Name         string `dynamodbav:"name,omitempty"`
	LogoURL      string `dynamodbav:"logoUrl,omitempty"`
	PrimaryColor string `dynamodbav:"primaryColor,omitempty"`
	AccentColor  string `dynamodbav:"accentColor,omitempty"`
}

func newPortalBrandingAttr(b helpdesk.PortalBranding) *portalBrandingAttr {
	if b == (helpdesk.PortalBranding{}) {
		return nil
	}
	a := portalBrandingAttr(b)
	return &a
}

func (a *portalBrandingAttr) branding() helpdesk.PortalBranding {
	if a == nil {
		return helpdesk.PortalBranding{}
	}
	return helpdesk.PortalBranding(*a)
}

// newSLAAttr leaves the attribute out of settings without calendars or
// policies.
func newSLAAttr(s helpdesk.SLASettings) *helpdesk.SLASettings {
	if s.DefaultCalendar == "" && len(s.TeamCalendars) == 0 && len(s.Calendars) == 0 && len(s.Policies) == 0 {
		return nil
	}
	return &s
}
