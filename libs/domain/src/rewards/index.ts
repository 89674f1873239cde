export * from './reward-delivery';
export * from './fulfilment-marking';
export * from './reward-coverage';
