export * from './reward-delivery';
export * from './fulfilment-marking';
