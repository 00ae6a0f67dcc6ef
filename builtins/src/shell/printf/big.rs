//! Unsigned integers of any size, just the operations `printf`'s exact
//! float conversions need: bash formats `long double`s, whose decimal
//! expansion has up to thousands of digits, and only exact arithmetic gives
//! the digits glibc prints.

use std::cmp::Ordering;

/// An unsigned integer as little-endian 32-bit limbs, with no zero limb at
/// the top (zero is no limbs at all), so equal values have equal limbs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Big {
    limbs: Vec<u32>,
}

impl Big {
    pub fn from_u128(mut value: u128) -> Big {
        let mut limbs = Vec::new();
        while value != 0 {
            limbs.push(value as u32);
            value >>= 32;
        }
        Big { limbs }
    }

    pub fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// How many bits the value needs: 0 for zero.
    pub fn bit_len(&self) -> u64 {
        match self.limbs.last() {
            Some(top) => self.limbs.len() as u64 * 32 - u64::from(top.leading_zeros()),
            None => 0,
        }
    }

    /// Bit `index` (0 is the lowest).
    pub fn bit(&self, index: u64) -> bool {
        let limb = (index / 32) as usize;
        self.limbs
            .get(limb)
            .is_some_and(|l| l >> (index % 32) & 1 == 1)
    }

    /// Whether any of the `count` lowest bits is set.
    pub fn any_below(&self, count: u64) -> bool {
        let whole = (count / 32) as usize;
        let rest = count % 32;
        if self.limbs.iter().take(whole).any(|&l| l != 0) {
            return true;
        }
        rest > 0
            && self
                .limbs
                .get(whole)
                .is_some_and(|&l| l & ((1u32 << rest) - 1) != 0)
    }

    /// The value when it fits in 128 bits; the low 128 bits otherwise.
    pub fn low_u128(&self) -> u128 {
        self.limbs
            .iter()
            .take(4)
            .rev()
            .fold(0u128, |acc, &l| (acc << 32) | u128::from(l))
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// `self = self * factor + addend`.
    pub fn mul_add_small(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.limbs {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    /// `self *= 5^count`, in steps of the largest power of 5 in a limb.
    pub fn mul_pow5(&mut self, mut count: u64) {
        const FIVE_13: u32 = 1_220_703_125;
        while count >= 13 {
            self.mul_add_small(FIVE_13, 0);
            count -= 13;
        }
        self.mul_add_small(5u32.pow(count as u32), 0);
    }

    /// `self *= 10^count`.
    pub fn mul_pow10(&mut self, count: u64) {
        self.mul_pow5(count);
        self.shl(count);
    }

    /// `self <<= count`.
    pub fn shl(&mut self, count: u64) {
        if self.is_zero() {
            return;
        }
        let whole = (count / 32) as usize;
        let rest = (count % 32) as u32;
        if rest != 0 {
            let mut carry = 0u32;
            for limb in &mut self.limbs {
                let next = *limb >> (32 - rest);
                *limb = (*limb << rest) | carry;
                carry = next;
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        self.limbs.splice(0..0, std::iter::repeat_n(0, whole));
    }

    /// `self >>= count`, dropping the bits shifted out.
    pub fn shr(&mut self, count: u64) {
        let whole = (count / 32) as usize;
        if whole >= self.limbs.len() {
            self.limbs.clear();
            return;
        }
        self.limbs.drain(..whole);
        let rest = (count % 32) as u32;
        if rest != 0 {
            let mut carry = 0u32;
            for limb in self.limbs.iter_mut().rev() {
                let next = *limb << (32 - rest);
                *limb = (*limb >> rest) | carry;
                carry = next;
            }
        }
        self.trim();
    }

    /// `self -= other`; the caller makes sure `other <= self`.
    pub fn sub_assign(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let sub = i64::from(other.limbs.get(i).copied().unwrap_or(0)) + borrow;
            let mut value = i64::from(*limb) - sub;
            borrow = 0;
            if value < 0 {
                value += 1 << 32;
                borrow = 1;
            }
            *limb = value as u32;
        }
        self.trim();
    }

    /// Divides by `divisor` in place, returning the remainder.
    pub fn div_rem_small(&mut self, divisor: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let value = (rem << 32) | u64::from(*limb);
            *limb = (value / u64::from(divisor)) as u32;
            rem = value % u64::from(divisor);
        }
        self.trim();
        rem as u32
    }

    /// `self / divisor` when the quotient fits in 128 bits, and whether
    /// the division left a remainder. Restoring division one quotient bit
    /// at a time: the callers only ever need about 70 quotient bits.
    pub fn div_small_quotient(&self, divisor: &Big) -> (u128, bool) {
        let mut rem = self.clone();
        let span = self.bit_len().saturating_sub(divisor.bit_len());
        let mut quotient = 0u128;
        for shift in (0..=span).rev() {
            let mut shifted = divisor.clone();
            shifted.shl(shift);
            if rem.cmp(&shifted) != Ordering::Less {
                rem.sub_assign(&shifted);
                if shift < 128 {
                    quotient |= 1 << shift;
                }
            }
        }
        (quotient, !rem.is_zero())
    }

    /// The decimal digits, most significant first, as ASCII; `"0"` for 0.
    pub fn to_decimal(&self) -> Vec<u8> {
        const CHUNK: u32 = 1_000_000_000;
        let mut value = self.clone();
        let mut chunks = Vec::new();
        while !value.is_zero() {
            chunks.push(value.div_rem_small(CHUNK));
        }
        let mut digits = match chunks.pop() {
            Some(top) => top.to_string().into_bytes(),
            None => return b"0".to_vec(),
        };
        for chunk in chunks.iter().rev() {
            digits.extend_from_slice(format!("{chunk:09}").as_bytes());
        }
        digits
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(big: &Big) -> String {
        String::from_utf8(big.to_decimal()).unwrap()
    }

    #[test]
    fn powers_and_shifts_are_exact() {
        let mut x = Big::from_u128(1);
        x.mul_pow10(30);
        assert_eq!(decimal(&x), format!("1{}", "0".repeat(30)));
        x.shr(10);
        assert_eq!(x.low_u128(), 10u128.pow(30) >> 10);
        let mut y = Big::from_u128(3);
        y.shl(100);
        assert_eq!(y.bit_len(), 102);
        assert!(y.bit(100) && y.bit(101) && !y.bit(99));
        assert!(!y.any_below(100) && y.any_below(101));
        let mut z = Big::from_u128(7);
        z.mul_pow5(3);
        assert_eq!(z.low_u128(), 875);
    }

    #[test]
    fn division_gives_quotient_and_remainder_flag() {
        let mut n = Big::from_u128(1);
        n.mul_pow10(40);
        let mut d = Big::from_u128(1);
        d.mul_pow10(20);
        assert_eq!(n.div_small_quotient(&d), (10u128.pow(20), false));
        let (q, inexact) = Big::from_u128(10).div_small_quotient(&Big::from_u128(3));
        assert_eq!((q, inexact), (3, true));
        let mut a = Big::from_u128(1 << 70);
        a.sub_assign(&Big::from_u128(1));
        assert_eq!(a.low_u128(), (1 << 70) - 1);
        assert_eq!(decimal(&Big::default()), "0");
    }
}
