module github.com/progan/progan

go 1.26.0

require (
	github.com/disintegration/imaging v1.6.2
	github.com/schollz/progressbar/v3 v3.19.1
	golang.org/x/image v0.47.0
	golang.org/x/term v0.44.0
	google.golang.org/protobuf v1.36.10
)

require gonum.org/v1/gonum v0.17.0

require (
	gonum.org/v1/netlib v0.0.0-20201012070519-2390d26c3658
	gorgonia.org/cu v0.9.6
)

require (
	github.com/google/uuid v1.1.1 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	golang.org/x/exp v0.0.0-20261014143641-f0251eb4aa3e // indirect
)

require (
	github.com/klauspost/compress v1.18.1
	github.com/klauspost/pgzip v1.2.6
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	golang.org/x/sys v0.49.0
)
