# Random JSON texts (hex-encoded, one per line) for serde-differential.sh: number spellings
# (long integers, long fractions, huge exponents, i32-overflowing exponents), escapes, lone
# surrogates, duplicate keys, whitespace. Usage: gen-inputs.py COUNT [SEED]
import random, sys
r = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
def digits(n, lead=True):
    s = ''.join(r.choice('0123456789') for _ in range(n))
    if lead and n > 0 and s[0] == '0' and n > 1: s = r.choice('123456789') + s[1:]
    return s
def number():
    k = r.random()
    sign = '-' if r.random() < 0.3 else ''
    if k < 0.15:
        return sign + r.choice(['0', digits(r.randint(1, 25))])
    intpart = r.choice(['0', digits(r.randint(1, 3)), digits(r.randint(15, 22)), digits(r.randint(1, 40))])
    s = sign + intpart
    if r.random() < 0.7: s += '.' + digits(r.randint(1, 30), lead=False)
    if r.random() < 0.6 or s.lstrip('-') == intpart:
        e = r.choice([r.randint(-30, 30), r.randint(-330, 330), r.randint(-400, 400), r.randint(-3000, 3000), r.choice([2147483647, 2147483648, -2147483648, -2147483649, 99999999999, -99999999999])])
        es = str(abs(e))
        if r.random() < 0.1: es = '0' * r.randint(1, 5) + es
        s += r.choice('eE') + ('-' if e < 0 else r.choice(['', '+'])) + es
    if r.random() < 0.03:
        i = r.randrange(len(s)); s = s[:i] + r.choice('.eE+-0x ') + s[i:]
    return s
def string():
    out = '"'
    for _ in range(r.randint(0, 8)):
        k = r.random()
        if k < 0.3: out += r.choice(['a', 'Z', '/', ' ', '~', '\x7f', '\u00e9', '\u2028', '\ufeff', '\U0001F600', '\ue000', '\uf8ff', '\u0080'])
        elif k < 0.6: out += '\\u%04x' % r.choice([0, 1, 8, 9, 10, 11, 12, 13, 31, 32, 34, 47, 92, 127, 128, 0x2028, 0xe9, 0xe000, 0xfeff, r.randint(0, 0xffff)])
        elif k < 0.7: out += '\\' + r.choice('"\\/bfnrt')
        elif k < 0.8: out += '\\ud83d\\ude00'
        elif k < 0.83: out += r.choice(['\\ud800', '\\udc00', '\\ud800\\u0041', '\\x', '\x01', '\\u12'])
        else: out += r.choice('abcxyz')
    return out + '"'
def value(d=0):
    k = r.random()
    if d > 4 or k < 0.45: return number()
    if k < 0.6: return string()
    if k < 0.65: return r.choice(['null', 'true', 'false'])
    ws = lambda: r.choice(['', '', ' ', '\n  ', '\t'])
    if k < 0.8: return '[' + ws() + (',' + ws()).join(value(d + 1) for _ in range(r.randint(0, 5))) + ws() + ']'
    keys = [string() for _ in range(r.randint(0, 4))]
    if keys and r.random() < 0.3: keys.append(r.choice(keys))
    return '{' + ws() + ','.join(k + ws() + ':' + ws() + value(d + 1) for k in keys) + '}'
n = int(sys.argv[1])
for i in range(n):
    v = value() if i % 2 else number()
    print(v.encode('utf-8', 'surrogatepass').hex())
