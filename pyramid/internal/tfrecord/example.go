package tfrecord

import (
	"encoding/binary"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of tensorflow/core/example/{example,feature}.proto.
const (
	exampleFeatures  = 1 // Example.features
	featuresFeature  = 1 // Features.feature (map<string, Feature>)
	mapKey           = 1 // map entry key
	mapValue         = 2 // map entry value
	featureBytesList = 1 // Feature.bytes_list
	featureFloatList = 2 // Feature.float_list
	featureInt64List = 3 // Feature.int64_list
	listValue        = 1 // BytesList.value, Int64List.value
)

// sizeLen is the size of a length-delimited field holding n bytes.
func sizeLen(n int) int { return 1 + protowire.SizeVarint(uint64(n)) + n }

func appendLen(dst []byte, num protowire.Number, n int) []byte {
	dst = protowire.AppendTag(dst, num, protowire.BytesType)
	return protowire.AppendVarint(dst, uint64(n))
}

// shapeEntry returns the serialized map entry {"shape": Int64List[c, h, w]}.
func shapeEntry(dst []byte, c, h, w int) []byte {
	var buf [3 * binary.MaxVarintLen64]byte
	packed := buf[:0]
	for _, v := range [3]int{c, h, w} {
		packed = protowire.AppendVarint(packed, uint64(v))
	}
	list := sizeLen(len(packed))
	feature := sizeLen(list)
	dst = appendLen(dst, mapKey, len("shape"))
	dst = append(dst, "shape"...)
	dst = appendLen(dst, mapValue, feature)
	dst = appendLen(dst, featureInt64List, list)
	dst = appendLen(dst, listValue, len(packed))
	return append(dst, packed...)
}

// ExampleLen returns the serialized size of the Example AppendExample
// writes for a c×h×w image.
func ExampleLen(c, h, w int) int {
	shape := len(shapeEntry(make([]byte, 0, 32), c, h, w))
	data := dataEntryLen(c * h * w)
	return sizeLen(sizeLen(shape) + sizeLen(data))
}

func dataEntryLen(n int) int {
	return sizeLen(len("data")) + sizeLen(sizeLen(sizeLen(n)))
}

// AppendExample appends the tf.train.Example the original exporter writes
// for one image: feature "shape" = Int64List [c, h, w] (packed) and feature
// "data" = BytesList [pix], in that order. pix holds c·h·w bytes, CHW.
func AppendExample(dst []byte, c, h, w int, pix []byte) []byte {
	if len(pix) != c*h*w {
		panic(fmt.Sprintf("tfrecord: AppendExample: %d bytes for shape [%d %d %d]", len(pix), c, h, w))
	}
	return append(AppendExampleHead(dst, c, h, w), pix...)
}

// AppendExampleHead appends the bytes of AppendExample that precede the
// pixels, which come last: a writer can then send the pixels from where
// they are, without copying them into the record.
func AppendExampleHead(dst []byte, c, h, w int) []byte {
	var scratch [32]byte
	shape := shapeEntry(scratch[:0], c, h, w)
	n := c * h * w
	data := dataEntryLen(n)
	dst = appendLen(dst, exampleFeatures, sizeLen(len(shape))+sizeLen(data))
	dst = appendLen(dst, featuresFeature, len(shape))
	dst = append(dst, shape...)
	dst = appendLen(dst, featuresFeature, data)
	dst = appendLen(dst, mapKey, len("data"))
	dst = append(dst, "data"...)
	dst = appendLen(dst, mapValue, sizeLen(sizeLen(n)))
	dst = appendLen(dst, featureBytesList, sizeLen(n))
	return appendLen(dst, listValue, n)
}

// ParseExample extracts the "shape" and "data" features from a serialized
// tf.train.Example, accepting any field and map-entry order, packed or
// unpacked int64 lists, and ignoring other features. data aliases b.
func ParseExample(b []byte) (shape []int64, data []byte, err error) {
	var haveData bool
	err = eachField(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != exampleFeatures || typ != protowire.BytesType {
			return nil
		}
		return eachField(v, func(num protowire.Number, typ protowire.Type, entry []byte) error {
			if num != featuresFeature || typ != protowire.BytesType {
				return nil
			}
			key, value, err := parseEntry(entry)
			if err != nil {
				return err
			}
			switch key {
			case "shape":
				shape, err = parseInt64List(value)
				return err
			case "data":
				data, err = parseBytes(value)
				haveData = err == nil
				return err
			}
			return nil
		})
	})
	if err != nil {
		return nil, nil, err
	}
	if shape == nil {
		return nil, nil, errors.New("tfrecord: example has no int64 feature \"shape\"")
	}
	if !haveData {
		return nil, nil, errors.New("tfrecord: example has no bytes feature \"data\"")
	}
	return shape, data, nil
}

// eachField calls fn for every field of the message b; groups are
// rejected, other wire types are passed with their raw bytes.
func eachField(b []byte, fn func(protowire.Number, protowire.Type, []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("tfrecord: malformed example: %w", protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n >= 0 {
				v = b[:n]
			}
		}
		if n < 0 {
			return fmt.Errorf("tfrecord: malformed example: %w", protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}

func parseEntry(b []byte) (key string, value []byte, err error) {
	err = eachField(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case mapKey:
			key = string(v)
		case mapValue:
			value = v
		}
		return nil
	})
	return key, value, err
}

// parseInt64List reads Feature{int64_list: Int64List{value}}.
func parseInt64List(feature []byte) ([]int64, error) {
	var out []int64
	found := false
	err := eachField(feature, func(num protowire.Number, typ protowire.Type, list []byte) error {
		if num != featureInt64List || typ != protowire.BytesType {
			if num == featureBytesList || num == featureFloatList {
				return errors.New("tfrecord: feature \"shape\" is not an int64 list")
			}
			return nil
		}
		found = true
		return eachField(list, func(num protowire.Number, typ protowire.Type, v []byte) error {
			if num != listValue {
				return nil
			}
			switch typ {
			case protowire.BytesType: // packed
				for len(v) > 0 {
					x, n := protowire.ConsumeVarint(v)
					if n < 0 {
						return fmt.Errorf("tfrecord: malformed shape: %w", protowire.ParseError(n))
					}
					out = append(out, int64(x))
					v = v[n:]
				}
			case protowire.VarintType:
				x, _ := protowire.ConsumeVarint(v)
				out = append(out, int64(x))
			}
			return nil
		})
	})
	if err == nil && !found {
		err = errors.New("tfrecord: feature \"shape\" is not an int64 list")
	}
	if out == nil && err == nil {
		out = []int64{}
	}
	return out, err
}

// parseBytes reads Feature{bytes_list: BytesList{value: [one]}}.
func parseBytes(feature []byte) ([]byte, error) {
	var out []byte
	count := 0
	err := eachField(feature, func(num protowire.Number, typ protowire.Type, list []byte) error {
		if num != featureBytesList || typ != protowire.BytesType {
			if num == featureInt64List || num == featureFloatList {
				return errors.New("tfrecord: feature \"data\" is not a bytes list")
			}
			return nil
		}
		return eachField(list, func(num protowire.Number, typ protowire.Type, v []byte) error {
			if num == listValue && typ == protowire.BytesType {
				out = v
				count++
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if count != 1 {
		return nil, fmt.Errorf("tfrecord: feature \"data\" holds %d values, want 1", count)
	}
	return out, nil
}
