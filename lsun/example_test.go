package lsun_test

import (
	"context"
	"crypto/md5"
	"fmt"
	"log"

	"github.com/progan/progan/lsun"
)

// Records reads an LMDB database in key order and yields one Item per
// entry: a 64×64 record, or the reason the entry is skipped. Here it
// resumes after 7 entries (7 records written) and stops at 9 records;
// entry 8 is random bytes. The md5s are those of the records the
// original create_lsun writes.
func ExampleRecords() {
	db, err := lsun.Open("testdata/mini_train_lmdb")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	fmt.Println(db.Entries(), "entries")
	opt := lsun.Options{Resolution: 64, MaxImages: 9}
	for it, err := range lsun.Records(context.Background(), db, 7, 7, opt) {
		if err != nil {
			log.Fatal(err)
		}
		if it.Err != nil {
			fmt.Printf("entry %d (key %.8s…) skipped\n", it.Entry, it.Key)
			continue
		}
		fmt.Printf("entry %d (key %.8s…): %d×%d, md5 %x\n", it.Entry, it.Key, it.Image.Size, it.Image.Size, md5.Sum(it.Image.Pix))
	}
	// Output:
	// 16 entries
	// entry 7 (key 65114f82…): 64×64, md5 24efb5ef7df2425be1c86c356d01fdfb
	// entry 8 (key 69c74743…) skipped
	// entry 9 (key 6c2c1e32…): 64×64, md5 14cac63f3f14a713681ffdbb2ae15cbb
}
