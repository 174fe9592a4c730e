// Package rie runs a function's real bootstrap (a `package main` calling
// lambda.Start) under the AWS Lambda Runtime Interface Emulator, the one the
// SAM CLI ships, on 127.0.0.1 and without Docker, so tests can invoke the
// deployed artifact as Lambda would: same binary, same environment variables,
// same Runtime API. The emulator binaries are Linux executables, so the
// package does its work on Linux only (rie.go).
package rie
