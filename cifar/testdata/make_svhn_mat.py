# Makes an official-SVHN-shaped train_32x32.mat (MATLAB level 5, compressed, as
# scipy writes it) and the expected images and labels:
#   /usr/bin/python3 make_svhn_mat.py      (numpy 1.24.2, scipy 1.10.1)
# Images: X[:, :, :, n] is (row, column, channel), stored column-major; labels y
# are 1..10 with 10 for the digit 0. Expected record n: X[..., n].transpose(2, 0, 1)
# (CHW) and label y[n] % 10.
import hashlib, json
import numpy as np
import scipy.io

rs = np.random.RandomState(11)
n = 7
X = rs.randint(0, 256, size=(32, 32, 3, n)).astype(np.uint8)
X[0, 0, 0, 0], X[0, 1, 0, 0] = 0, 255
y = np.array([[1], [10], [5], [10], [9], [2], [3]], dtype=np.float64)
scipy.io.savemat('svhn-mat/train_32x32.mat', {'X': X, 'y': y}, format='5', do_compression=True)
golden = {
    'images_sha256': [hashlib.sha256(np.ascontiguousarray(X[..., i].transpose(2, 0, 1)).tobytes()).hexdigest() for i in range(n)],
    'labels': [int(v) % 10 for v in y[:, 0]],
}
json.dump(golden, open('svhn-mat/golden.json', 'w'), indent=1)
