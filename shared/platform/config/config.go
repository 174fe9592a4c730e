// Package config fills a function's typed configuration from its environment,
// once, in main, and fails listing every missing variable at the same time.
package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Load sets the fields of the struct pointed to by dst from lookup (pass
// os.LookupEnv). Fields are tagged `env:"NAME"`, optionally with
// `,required` and `default:"value"`. Supported kinds: string, bool, ints,
// time.Duration.
func Load(dst any, lookup func(string) (string, bool)) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: Load wants a pointer to a struct, got %T", dst)
	}
	var missing, bad []string
	load(v.Elem(), lookup, &missing, &bad)
	var msgs []string
	if len(missing) > 0 {
		msgs = append(msgs, "missing environment variables: "+strings.Join(missing, ", "))
	}
	if len(bad) > 0 {
		msgs = append(msgs, "invalid environment variables: "+strings.Join(bad, "; "))
	}
	if len(msgs) > 0 {
		return fmt.Errorf("config: %s", strings.Join(msgs, "; "))
	}
	return nil
}

// load fills v's tagged fields, and those of embedded structs (a function's
// config embeds the settings every function shares).
func load(v reflect.Value, lookup func(string) (string, bool), missing, bad *[]string) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		tag, ok := f.Tag.Lookup("env")
		if !ok {
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				load(v.Field(i), lookup, missing, bad)
			}
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		raw, set := lookup(name)
		if !set || raw == "" {
			if opts == "required" {
				*missing = append(*missing, name)
				continue
			}
			raw, set = f.Tag.Lookup("default")
			if !set {
				continue
			}
		}
		if err := setField(v.Field(i), raw); err != nil {
			*bad = append(*bad, fmt.Sprintf("%s=%q: %v", name, raw, err))
		}
	}
}

func setField(f reflect.Value, raw string) error {
	if f.Type() == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return err
		}
		f.SetInt(n)
	default:
		return fmt.Errorf("unsupported field kind %s", f.Kind())
	}
	return nil
}
