// A go.mod exercising the syntax cmd/go accepts; `go mod edit -json` is the reference for it.
module example.com/berth/fixture

go 1.19

require (
	github.com/BurntSushi/toml v1.3.2
	golang.org/x/text v0.14.0 // indirect
	"gopkg.in/yaml.v3" v3.0.1
	github.com/pkg/errors v0.9.1 // indirect; kept for the old API
	example.com/forked v1.0.0
	example.com/local v0.0.0-00010101000000-000000000000
	github.com/google/uuid v1.3.0 // a direct one with a comment
)

require golang.org/x/sys v0.15.0 // indirect

require github.com/docker/distribution v2.8.2+incompatible

replace (
	example.com/forked v1.0.0 => github.com/someone/forked v1.0.1-0.20240101000000-abcdefabcdef
	example.com/local => ../local
	golang.org/x/text v0.13.0 => golang.org/x/text v0.13.1 // version-specific, not the one required
)

replace github.com/google/uuid => github.com/google/uuid v1.4.0

exclude github.com/BurntSushi/toml v1.3.0

retract [v0.1.0, v0.1.5] // broken builds
