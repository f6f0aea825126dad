package lmdb_test

import (
	"fmt"
	"log"

	"github.com/progan/progan/lsun/internal/lmdb"
)

// Example lists the first entries of an LSUN-style category: 40-character
// hex keys and WebP values.
func Example() {
	db, err := lmdb.Open("testdata/lsun-mini") // or testdata/lsun-mini/data.mdb
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	fmt.Println(db.Entries(), "entries")

	c := db.Cursor()
	for n := 0; n < 3 && c.Next(); n++ {
		v, err := c.Value()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %q %d bytes\n", c.Key(), v[:4], len(v))
	}
	if err := c.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 16 entries
	// 0f67759c8e84a4cb73ce54309d0323f27ec6667e "RIFF" 10760 bytes
	// 331df2163ea0fd2ac51fd933c25a0a449825949b "RIFF" 3530 bytes
	// 35c917fd7426425948f062efdf39bf2d5e0b906d "RIFF" 2484 bytes
}
