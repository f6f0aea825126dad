package nprand_test

import (
	"fmt"

	"github.com/progan/progan/internal/nprand"
)

// The order in which numpy's np.random.RandomState(123).permutation(30000)
// visits a 30000-image dataset.
func ExampleRandomState_Permutation() {
	order := nprand.New(123).Permutation(30000)
	fmt.Println(order[:10])
	fmt.Println(order[len(order)-3:])
	// Output:
	// [25665 16464 22386 10149 8729 25295 8876 12348 3858 19209]
	// [28030 15725 19966]
}

func ExampleRandomState_Randint() {
	r := nprand.New(0)
	// np.random.RandomState(0): randint(0, 10), randint(0, 10), randint(-5, 5)
	fmt.Println(r.Randint(0, 10), r.Randint(0, 10), r.Randint(-5, 5))
	// Output: 5 0 -2
}

func ExampleRandomState_NormFloat64() {
	// np.random.RandomState(0).randn(3)
	r := nprand.New(0)
	for range 3 {
		fmt.Printf("%.12f\n", r.NormFloat64())
	}
	// Output:
	// 1.764052345968
	// 0.400157208367
	// 0.978737984106
}
