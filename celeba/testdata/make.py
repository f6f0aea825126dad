# Makes small aligned-CelebA-shaped PNGs and the md5 of the original's crop:
#   /usr/bin/python3 make.py   (numpy 1.24, Pillow)
import hashlib, json
import numpy as np
from PIL import Image

rs = np.random.RandomState(3)
golden = {}
for i in range(1, 6):
    y, x = np.mgrid[0:218, 0:178]
    img = np.stack([(x * 7 + i * 40) % 256, (y * 5 + i * 13) % 256, (x * y // 50) % 256], axis=2)
    img = (img + rs.randint(0, 3, img.shape)).clip(0, 255).astype(np.uint8)
    name = '%06d.png' % i
    Image.fromarray(img, 'RGB').save('img_align_celeba_png/' + name)
    # create_celeba: img[cy - 64 : cy + 64, cx - 64 : cx + 64].transpose(2, 0, 1)
    for cx, cy in [(89, 121), (64, 64), (114, 154)]:
        crop = img[cy - 64: cy + 64, cx - 64: cx + 64].transpose(2, 0, 1)
        golden['%s %d %d' % (name, cx, cy)] = hashlib.md5(np.ascontiguousarray(crop).tobytes()).hexdigest()
json.dump(golden, open('golden.json', 'w'), indent=1, sort_keys=True)
