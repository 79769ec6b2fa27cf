//! A deterministic simulated temperature sensor.
//!
//! Readings follow a bounded random walk around room temperature driven by a
//! seeded SplitMix64 sequence: the same seed gives the same readings in the
//! same order, so tests and demos can predict them and two plugs with
//! different seeds read differently.

use hearth_device::peripherals::TemperatureSensor;

/// Lowest reading, in hundredths of a degree Celsius (18.00 °C).
pub const MIN_CENTI_CELSIUS: i32 = 1800;
/// Highest reading (26.00 °C).
pub const MAX_CENTI_CELSIUS: i32 = 2600;
/// Largest change between two readings (0.25 °C).
const MAX_STEP: i32 = 25;

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct SimulatedSensor {
    state: u64,
    current: i32,
}

impl SimulatedSensor {
    /// A sensor whose readings are fixed by `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut sensor = Self {
            state: seed,
            current: 0,
        };
        let span = u64::from((MAX_CENTI_CELSIUS - MIN_CENTI_CELSIUS) as u32 + 1);
        // The modulo keeps the value below 801, so the cast cannot truncate.
        sensor.current = MIN_CENTI_CELSIUS + (sensor.next() % span) as i32;
        sensor
    }

    fn next(&mut self) -> u64 {
        // SplitMix64 (Steele, Lea, Flood 2014): tiny, full-period, well mixed.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl TemperatureSensor for SimulatedSensor {
    fn read_centi_celsius(&mut self) -> i32 {
        let reading = self.current;
        let steps = u64::from((2 * MAX_STEP) as u32 + 1);
        // The modulo keeps the step within 0..=50, so the cast cannot truncate.
        let step = (self.next() % steps) as i32 - MAX_STEP;
        self.current = (self.current + step).clamp(MIN_CENTI_CELSIUS, MAX_CENTI_CELSIUS);
        reading
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings(seed: u64, n: usize) -> Vec<i32> {
        let mut sensor = SimulatedSensor::new(seed);
        (0..n).map(|_| sensor.read_centi_celsius()).collect()
    }

    #[test]
    fn the_same_seed_reads_the_same_sequence() {
        assert_eq!(readings(7, 50), readings(7, 50));
        assert_ne!(readings(7, 50), readings(8, 50));
    }

    #[test]
    fn readings_stay_in_range_and_move_gently() {
        for seed in 0..20 {
            let values = readings(seed, 2000);
            assert!(
                values
                    .iter()
                    .all(|v| (MIN_CENTI_CELSIUS..=MAX_CENTI_CELSIUS).contains(v))
            );
            assert!(values.windows(2).all(|w| (w[1] - w[0]).abs() <= MAX_STEP));
            // A random walk, not a constant.
            assert!(values.iter().min() < values.iter().max());
        }
    }
}
